// Magento / Adobe Commerce webhook bodies (tests/data/magento/) decoded into
// canonical events and validated as the hub would.
#include "connectors/magento/magento.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tests/unit/connectors/fixtures.h"

namespace {

namespace v1 = custhub::v1;
using namespace custhub::connector_test;
using custhub::connectors::DecodeMagento;

constexpr const char* kOrderSaved = "sales_order_save_after";
constexpr const char* kCreditmemoSaved = "sales_order_creditmemo_save_after";

const Connector magento{DecodeMagento, "magento", "GB"};

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
  v1::Event e = magento.DecodeOne(c.file, kOrderSaved);
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
  v1::Event e =
      magento.DecodeOne(s.file, std::string("observer.") + kOrderSaved);
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
  v1::Event e = magento.DecodeOne(c.file, kCreditmemoSaved);
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
  std::string body = magento.Fixture("order_no_identifiers.json");
  Events events = magento.Decode(body, kOrderSaved);
  REQUIRE(events.ok());
  CHECK(events->front().order().order_id() == "3150");
  CHECK(events->front().identifiers().external_ids().empty());
  absl::Status s = ValidateAll(&*events);
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
      {magento.Fixture("order_total_wrong_type.json"), kOrderSaved,
       "data.order.grand_total: expected"},
      {magento.Fixture("creditmemo_missing_order.json"), kCreditmemoSaved,
       "order_id: missing"},
      {magento.Fixture("order_rest_complete.json"),
       "catalog_product_save_after",
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
  Events events = magento.Decode(c.body, c.type);
  REQUIRE_FALSE(events.ok());
  INFO(events.status().message());
  CHECK(events.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(events.status().message(), c.prefix));
}
