// Magento / Adobe Commerce webhook bodies (tests/data/magento/) decoded into
// canonical events and validated as the hub would.
#include "connectors/magento/magento.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "connectors/common/validate.h"

namespace {

namespace v1 = custhub::v1;
using custhub::connectors::DecodeMagento;
using custhub::connectors::DecodeOptions;
using custhub::connectors::RawRecord;
using custhub::connectors::ValidateEvent;
using Events = absl::StatusOr<std::vector<v1::Event>>;

constexpr const char* kOrderSaved = "sales_order_save_after";
constexpr const char* kCreditmemoSaved = "sales_order_creditmemo_save_after";

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(CUSTHUB_TEST_DATA) + "/magento/" + name,
                   std::ios::binary);
  INFO("fixture " << name);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Events DecodeBody(const std::string& body, const std::string& type,
                  const std::string& region = "GB") {
  RawRecord r;
  r.topic = "orders";
  r.body = body;
  r.source = "magento";
  r.event_type = type;
  DecodeOptions options;
  options.default_phone_region = region;
  return DecodeMagento(r, options);
}

absl::Status Validate(std::vector<v1::Event>* events) {
  for (auto& e : *events) {
    if (e.event_id().empty()) e.set_event_id("delivery-1");
    absl::Status s = ValidateEvent(&e);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

v1::Event DecodeOne(const std::string& file, const std::string& type) {
  std::string body = Fixture(file);
  Events events = DecodeBody(body, type);
  INFO(file << " as " << type << ": " << events.status().message());
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  absl::Status s = Validate(&*events);
  INFO("validation: " << s.message());
  REQUIRE(s.ok());
  return events->front();
}

struct OrderCase {
  const char* file;
  const char* order_id;
  int64_t minor;
  const char* currency;
  int items;
  bool cancelled, fulfilled, paid;
  const char* email;
  const char* phone;
  const char* magento_id;
  const char* first_name;
  const char* last_name;
  const char* created_at;
  const char* updated_at;
};

}  // namespace

TEST_CASE(
    "Magento orders decode with exact money, top-level items, state flags and "
    "identifiers",
    "[connectors][magento]") {
  auto c = GENERATE(values<OrderCase>({
      {"order_save_processing.json", "3120", 10459, "GBP", 3, false, false,
       true, "olivia.brown@example.co.uk", "+442079460321", "841", "Olivia",
       "Brown", "2026-02-04T09:12:44Z", "2026-02-04T09:13:02Z"},
      {"order_rest_complete.json", "3121", 5999, "GBP", 2, false, true, true,
       "olivia.brown@example.co.uk", "+442079460321", "841", "Olivia", "Brown",
       "2026-02-06T18:00:00Z", "2026-02-08T07:45:10Z"},
      {"order_canceled.json", "3120", 10459, "GBP", 3, true, false, false,
       "olivia.brown@example.co.uk", "+442079460321", "841", "Olivia", "Brown",
       "2026-02-04T09:12:44Z", "2026-02-04T11:00:00Z"},
      {"order_guest_jpy.json", "3130", 15400, "JPY", 3, false, false, false,
       "tanaka.yuki@example.jp", "", "", "優希", "田中", "2026-02-04T09:12:44Z",
       "2026-02-04T09:13:02Z"},
      {"order_kwd.json", "3140", 31750, "KWD", 3, false, false, true,
       "noura@example.com.kw", "+96599887766", "902", "Noura", "Al-Ahmad",
       "2026-02-04T09:12:44Z", "2026-02-04T09:13:02Z"},
  }));
  INFO(c.file);
  v1::Event e = DecodeOne(c.file, kOrderSaved);
  CHECK(e.source() == "magento");
  CHECK(e.event_type() == kOrderSaved);
  REQUIRE(e.has_order());
  const v1::Order& o = e.order();
  CHECK(o.order_id() == c.order_id);
  CHECK(o.total().minor() == c.minor);
  CHECK(o.total().currency() == c.currency);
  CHECK(o.item_count() == c.items);
  CHECK(o.cancelled() == c.cancelled);
  CHECK(o.fulfilled() == c.fulfilled);
  CHECK(o.paid() == c.paid);
  CHECK(o.created_at() == c.created_at);
  CHECK(o.updated_at() == c.updated_at);
  CHECK(e.occurred_at() == c.updated_at);
  REQUIRE(e.identifiers().emails_size() == 1);
  CHECK(e.identifiers().emails(0) == c.email);
  if (std::string(c.phone).empty()) {
    CHECK(e.identifiers().phones().empty());
  } else {
    REQUIRE(e.identifiers().phones_size() == 1);
    CHECK(e.identifiers().phones(0) == c.phone);
  }
  if (std::string(c.magento_id).empty()) {
    CHECK(e.identifiers().external_ids().empty());
  } else {
    CHECK(e.identifiers().external_ids().at("magento") == c.magento_id);
  }
  CHECK(e.first_name() == c.first_name);
  CHECK(e.last_name() == c.last_name);
}

TEST_CASE("repeated Magento order saves keep each save's updated_at",
          "[connectors][magento]") {
  struct Save {
    const char* file;
    const char* updated_at;
    bool fulfilled;
  };
  auto s = GENERATE(values<Save>({
      {"order_updated_1.json", "2026-02-04T09:13:02Z", false},
      {"order_updated_2.json", "2026-02-04T09:20:00Z", false},
      {"order_updated_3.json", "2026-02-05T16:00:00Z", true},
  }));
  v1::Event e = DecodeOne(s.file, std::string("observer.") + kOrderSaved);
  CHECK(e.order().order_id() == "3120");
  CHECK(e.order().updated_at() == s.updated_at);
  CHECK(e.order().fulfilled() == s.fulfilled);
}

TEST_CASE(
    "Magento credit memos become refunds counting back-to-stock items as "
    "returned",
    "[connectors][magento]") {
  struct RefundCase {
    const char* file;
    const char* refund_id;
    const char* order_id;
    int64_t minor;
    const char* currency;
    int returned;
    const char* created_at;
  };
  auto c = GENERATE(values<RefundCase>({
      {"creditmemo_partial.json", "512", "3120", 2400, "GBP", 1,
       "2026-02-12T14:05:00Z"},
      {"creditmemo_full_no_restock.json", "513", "3121", 5999, "GBP", 1,
       "2026-02-15T10:00:00Z"},
      {"creditmemo_kwd.json", "514", "3140", 10125, "KWD", 0,
       "2026-02-20T08:30:00Z"},
  }));
  INFO(c.file);
  v1::Event e = DecodeOne(c.file, kCreditmemoSaved);
  REQUIRE(e.has_refund());
  CHECK(e.refund().refund_id() == c.refund_id);
  CHECK(e.refund().order_id() == c.order_id);
  CHECK(e.refund().amount().minor() == c.minor);
  CHECK(e.refund().amount().currency() == c.currency);
  CHECK(e.refund().items_returned() == c.returned);
  CHECK(e.refund().created_at() == c.created_at);
  CHECK(e.occurred_at() == c.created_at);
}

TEST_CASE("a Magento order with no identifier decodes but fails validation",
          "[connectors][magento]") {
  std::string body = Fixture("order_no_identifiers.json");
  Events events = DecodeBody(body, kOrderSaved);
  REQUIRE(events.ok());
  CHECK(events->front().order().order_id() == "3150");
  CHECK(events->front().identifiers().external_ids().empty());
  absl::Status s = Validate(&*events);
  REQUIRE_FALSE(s.ok());
  CHECK(absl::StartsWith(s.message(), "identifiers: "));
}

TEST_CASE("bad Magento bodies fail naming the offending field",
          "[connectors][magento]") {
  struct BadCase {
    std::string body;
    const char* type;
    const char* prefix;
  };
  auto c = GENERATE(values<BadCase>({
      {Fixture("order_total_wrong_type.json"), kOrderSaved,
       "data.order.grand_total: expected"},
      {Fixture("creditmemo_missing_order.json"), kCreditmemoSaved,
       "order_id: missing"},
      {Fixture("order_rest_complete.json"), "catalog_product_save_after",
       "event-type: 'catalog_product_save_after' is not a magento event type"},
      {R"({"entity_id": 1, "grand_total": "10.00", "customer_email": "a@b.co"})",
       kOrderSaved, "order_currency_code: missing"},
      {R"({"entity_id": 1, "order_currency_code": "EUR"})", kOrderSaved,
       "grand_total: missing"},
      {R"({"entity_id": 1, "grand_total": "1", "order_currency_code": "EUR",
           "items": [{"qty_ordered": -1}]})",
       kOrderSaved, "items[0].qty_ordered: "},
      {R"({"entity_id": 1, "grand_total": "1", "order_currency_code": "EUR",
           "created_at": "04/02/2026"})",
       kOrderSaved, "created_at: "},
      {R"({"data": {"order": {"entity_id": 1,)", kOrderSaved,
       "body: not valid JSON"},
  }));
  INFO(c.body.substr(0, 80) << " as " << c.type);
  Events events = DecodeBody(c.body, c.type);
  REQUIRE_FALSE(events.ok());
  INFO(events.status().message());
  CHECK(events.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(events.status().message(), c.prefix));
}
