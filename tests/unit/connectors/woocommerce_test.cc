// WooCommerce order webhook bodies (tests/data/woocommerce/) decoded into
// canonical events and validated as the hub would.
#include "connectors/woocommerce/woocommerce.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tests/unit/connectors/fixtures.h"

namespace {

namespace v1 = custhub::v1;
using namespace custhub::connector_test;
using custhub::connectors::DecodeWooCommerce;

const Connector woo{DecodeWooCommerce, "woocommerce"};

struct RefundExpect {
  const char* refund_id;
  int64_t minor;
};

struct OrderCase {
  const char* file;
  const char* topic;
  const char* region;
  const char* order_id;
  int64_t minor;
  const char* currency;
  int items;
  bool cancelled, fulfilled, paid;
  const char* email;
  const char* phone;
  const char* woo_id;
  const char* first_name;
  const char* last_name;
  const char* updated_at;
  std::vector<RefundExpect> refunds;
};

}  // namespace

TEST_CASE(
    "WooCommerce orders decode with exact money, status flags and identifiers",
    "[connectors][woocommerce]") {
  auto c = GENERATE(values<OrderCase>({
      {"order_created.json",
       "order.created",
       "US",
       "4821",
       5280,
       "EUR",
       4,
       false,
       false,
       true,
       "camille.dubois@example.fr",
       "+33142685300",
       "318",
       "Camille",
       "Dubois",
       "2026-02-03T10:20:09Z",
       {}},
      {"order_completed.json",
       "order.updated",
       "US",
       "4821",
       5280,
       "EUR",
       4,
       false,
       true,
       true,
       "camille.dubois@example.fr",
       "+33142685300",
       "318",
       "Camille",
       "Dubois",
       "2026-02-05T08:00:00Z",
       {}},
      {"order_cancelled.json",
       "order.updated",
       "US",
       "4821",
       5280,
       "EUR",
       4,
       true,
       false,
       false,
       "camille.dubois@example.fr",
       "+33142685300",
       "318",
       "Camille",
       "Dubois",
       "2026-02-03T11:00:00Z",
       {}},
      {"order_failed.json",
       "order.updated",
       "US",
       "4822",
       5280,
       "EUR",
       4,
       true,
       false,
       false,
       "camille.dubois@example.fr",
       "+33142685300",
       "318",
       "Camille",
       "Dubois",
       "2026-02-03T10:20:09Z",
       {}},
      {"order_guest.json",
       "order.created",
       "US",
       "4900",
       5280,
       "EUR",
       4,
       false,
       false,
       false,
       "soren@example.dk",
       "",
       "",
       "Søren",
       "Kierkegaard-Ødegård",
       "2026-02-03T10:20:09Z",
       {}},
      {"order_partial_refund.json",
       "order.updated",
       "US",
       "4821",
       5280,
       "EUR",
       4,
       false,
       true,
       true,
       "camille.dubois@example.fr",
       "+33142685300",
       "318",
       "Camille",
       "Dubois",
       "2026-02-09T14:30:12Z",
       {{"wc-refund-4830", 812}}},
      {"order_refunded.json",
       "order.updated",
       "US",
       "4821",
       5280,
       "EUR",
       4,
       false,
       false,
       true,
       "camille.dubois@example.fr",
       "+33142685300",
       "318",
       "Camille",
       "Dubois",
       "2026-02-11T09:00:00Z",
       {{"wc-refund-4830", 812}, {"wc-refund-4845", 4468}}},
      {"order_jpy.json",
       "order.created",
       "JP",
       "4901",
       5480,
       "JPY",
       2,
       false,
       false,
       true,
       "sakura.yamamoto@example.jp",
       "+819012345678",
       "412",
       "さくら",
       "山本",
       "2026-02-03T10:20:09Z",
       {{"wc-refund-4950", 2490}}},
      {"order_kwd.json",
       "order.created",
       "US",
       "4902",
       17250,
       "KWD",
       4,
       false,
       false,
       true,
       "yousef@example.com.kw",
       "+96599887766",
       "500",
       "Yousef",
       "Al-Mutairi",
       "2026-02-03T10:20:09Z",
       {{"wc-refund-4960", 2125}}},
  }));
  INFO(c.file << " as " << c.topic);
  std::vector<v1::Event> events = woo.DecodeValid(c.file, c.topic, c.region);
  REQUIRE(events.size() == 1 + c.refunds.size());
  const v1::Event& e = events[0];
  CHECK(e.source() == "woocommerce");
  CHECK(e.event_type() == c.topic);
  REQUIRE(e.has_order());
  const v1::Order& o = e.order();
  CHECK(o.order_id() == c.order_id);
  CHECK(o.total().minor() == c.minor);
  CHECK(o.total().currency() == c.currency);
  CHECK(o.item_count() == c.items);
  CHECK(o.cancelled() == c.cancelled);
  CHECK(o.fulfilled() == c.fulfilled);
  CHECK(o.paid() == c.paid);
  CHECK_FALSE(o.deleted());
  CHECK(o.created_at() == "2026-02-03T10:20:05Z");
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
  if (std::string(c.woo_id).empty()) {
    CHECK(e.identifiers().external_ids().empty());
  } else {
    CHECK(e.identifiers().external_ids().at("woocommerce") == c.woo_id);
  }
  CHECK(e.first_name() == c.first_name);
  CHECK(e.last_name() == c.last_name);
  for (size_t i = 0; i < c.refunds.size(); ++i) {
    const v1::Event& re = events[i + 1];
    REQUIRE(re.has_refund());
    CHECK(re.refund().refund_id() == c.refunds[i].refund_id);
    CHECK(re.refund().order_id() == c.order_id);
    CHECK(re.refund().amount().minor() == c.refunds[i].minor);
    CHECK(re.refund().amount().currency() == c.currency);
    CHECK(re.refund().created_at() == c.updated_at);
    CHECK(re.occurred_at() == c.updated_at);
  }
}

TEST_CASE(
    "a fully refunded WooCommerce order keeps its revenue and refunds it all",
    "[connectors][woocommerce]") {
  std::vector<v1::Event> events =
      woo.DecodeValid("order_refunded.json", "order.updated");
  int64_t refunded = 0;
  for (size_t i = 1; i < events.size(); ++i) {
    refunded += events[i].refund().amount().minor();
  }
  CHECK(events[0].order().total().minor() == 5280);
  CHECK_FALSE(events[0].order().cancelled());
  CHECK(refunded == 5280);
}

TEST_CASE(
    "WooCommerce order.updated storms keep each delivery's modification time",
    "[connectors][woocommerce]") {
  struct Delivery {
    const char* file;
    const char* updated_at;
    bool paid, fulfilled;
  };
  auto d = GENERATE(values<Delivery>({
      {"order_updated_1.json", "2026-02-03T10:20:09Z", false, false},
      {"order_updated_2.json", "2026-02-03T10:25:40Z", true, false},
      {"order_updated_3.json", "2026-02-04T08:00:00Z", true, true},
  }));
  std::vector<v1::Event> events = woo.DecodeValid(d.file, "order.updated");
  CHECK(events[0].order().updated_at() == d.updated_at);
  CHECK(events[0].occurred_at() == d.updated_at);
  CHECK(events[0].order().paid() == d.paid);
  CHECK(events[0].order().fulfilled() == d.fulfilled);
}

TEST_CASE(
    "a WooCommerce order.deleted with only an id validates as a bare deletion",
    "[connectors][woocommerce]") {
  std::string body = woo.Fixture("order_deleted.json");
  // The hub always has the broker timestamp; it stands in for the time.
  Events events = woo.Decode(body, "order.deleted", "US", 1771000000000);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  const v1::Event& e = events->front();
  CHECK(e.order().order_id() == "4821");
  CHECK(e.order().deleted());
  CHECK(e.occurred_at() == "2026-02-13T16:26:40Z");
  // It names no customer: the hub finds the order's customer through the
  // order ledger (see the processor test).
  CHECK(custhub::connectors::IsBareDeletion(e));
  CHECK(ValidateAll(&*events).ok());
}

TEST_CASE("a trashed WooCommerce order delivered in full is a deleted order",
          "[connectors][woocommerce]") {
  std::vector<v1::Event> events =
      woo.DecodeValid("order_trashed.json", "order.deleted");
  REQUIRE(events.size() == 1);  // refunds of a deleted order are moot
  CHECK(events[0].order().deleted());
  CHECK(events[0].order().cancelled());
  CHECK(events[0].order().total().minor() == 5280);
  CHECK(events[0].identifiers().emails(0) == "camille.dubois@example.fr");
}

TEST_CASE("a WooCommerce order with no identifier decodes but fails validation",
          "[connectors][woocommerce]") {
  std::string body = woo.Fixture("order_no_identifiers.json");
  Events events = woo.Decode(body, "order.created");
  REQUIRE(events.ok());
  CHECK(events->front().order().total().minor() == 5280);
  absl::Status s = ValidateAll(&*events);
  REQUIRE_FALSE(s.ok());
  CHECK(absl::StartsWith(s.message(), "identifiers: "));
}

TEST_CASE("bad WooCommerce bodies fail naming the offending field",
          "[connectors][woocommerce]") {
  struct BadCase {
    std::string body;
    const char* topic;
    const char* prefix;
  };
  auto c = GENERATE(values<BadCase>({
      {woo.Fixture("order_total_wrong_type.json"), "order.created",
       "total: expected"},
      {woo.Fixture("order_refund_bad_total.json"), "order.updated",
       "refunds[0].total: "},
      {woo.Fixture("order_created.json"), "product.created",
       "event-type: 'product.created' is not a woocommerce event type"},
      {R"({"id": 1, "status": "processing", "currency": "EUR"})",
       "order.created", "total: missing"},
      {R"({"id": 1, "total": "1.00", "currency": "EUR",
           "date_created_gmt": "yesterday"})",
       "order.created", "date_created_gmt: "},
      {R"({"id": 1, "total": "1.00", "currency": "EUR",
           "billing": "camille@example.fr"})",
       "order.created", "billing: expected an object"},
      {R"({"status": "processing", "total": "1.00", "currency": "EUR"})",
       "order.created", "id: missing"},
      {R"({"id": 1, "total": "1.00", "currency": "EUR", "line_items": [)",
       "order.created", "body: not valid JSON"},
  }));
  INFO(c.body.substr(0, 80) << " as " << c.topic);
  Events events = woo.Decode(c.body, c.topic);
  REQUIRE_FALSE(events.ok());
  INFO(events.status().message());
  CHECK(events.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StartsWith(events.status().message(), c.prefix));
}
