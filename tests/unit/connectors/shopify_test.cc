// Shopify webhook bodies (tests/data/shopify/) decoded into canonical events
// and validated as the hub would.
#include "connectors/shopify/shopify.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "tests/unit/connectors/fixtures.h"

namespace {

namespace v1 = custhub::v1;
using namespace custhub::connector_test;
using custhub::connectors::DecodeShopify;

const Connector shopify{DecodeShopify, "shopify"};

struct OrderCase {
  const char* file;
  const char* topic;
  const char* region;
  const char* order_id;
  int64_t minor;
  const char* currency;
  int items;
  bool cancelled, fulfilled, paid;
  const char* email;  // as normalised by validation; "" = none
  const char* phone;  // E.164; "" = none
  const char* shopify_id;
  const char* first_name;
  const char* last_name;
  const char* updated_at;
};

}  // namespace

TEST_CASE(
    "Shopify orders decode to orders with exact money, items, flags and "
    "identifiers",
    "[connectors][shopify]") {
  auto c = GENERATE(values<OrderCase>({
      {"order_create.json", "orders/create", "US", "5512839201837", 12050,
       "USD", 3, false, false, false, "ann.lee@example.com", "+14155550142",
       "7301928374650", "Ann", "Lee", "2026-02-01T15:15:44Z"},
      {"order_create.json", "orders/paid", "US", "5512839201837", 12050, "USD",
       3, false, false, true, "ann.lee@example.com", "+14155550142",
       "7301928374650", "Ann", "Lee", "2026-02-01T15:15:44Z"},
      {"order_create.json", "orders/cancelled", "US", "5512839201837", 12050,
       "USD", 3, true, false, false, "ann.lee@example.com", "+14155550142",
       "7301928374650", "Ann", "Lee", "2026-02-01T15:15:44Z"},
      {"order_fulfilled.json", "orders/fulfilled", "US", "5512839201837", 12050,
       "USD", 3, false, true, true, "ann.lee@example.com", "+14155550142",
       "7301928374650", "Ann", "Lee", "2026-02-03T21:02:10Z"},
      {"order_fulfilled.json", "orders/updated", "US", "5512839201837", 12050,
       "USD", 3, false, true, true, "ann.lee@example.com", "+14155550142",
       "7301928374650", "Ann", "Lee", "2026-02-03T21:02:10Z"},
      {"order_cancelled.json", "orders/cancelled", "US", "5512839201837", 12050,
       "USD", 3, true, false, false, "ann.lee@example.com", "+14155550142",
       "7301928374650", "Ann", "Lee", "2026-02-01T17:00:06Z"},
      {"order_cancelled.json", "orders/updated", "US", "5512839201837", 12050,
       "USD", 3, true, false, false, "ann.lee@example.com", "+14155550142",
       "7301928374650", "Ann", "Lee", "2026-02-01T17:00:06Z"},
      {"order_jpy.json", "orders/create", "JP", "5512839209001", 12800, "JPY",
       3, false, false, false, "haruto.sato@example.jp", "+81312345678",
       "7301928370001", "陽翔", "佐藤", "2026-02-01T15:15:44Z"},
      {"order_kwd.json", "orders/create", "US", "5512839209002", 45125, "KWD",
       3, false, false, false, "fatima.alsabah@example.com.kw", "+96522223333",
       "7301928370002", "فاطمة", "الصباح", "2026-02-01T15:15:44Z"},
      {"order_guest.json", "orders/create", "US", "5512839209003", 12050, "USD",
       3, false, false, false, "guest.buyer@example.org", "", "", "Gita",
       "Guest", "2026-02-01T15:15:44Z"},
      {"order_unicode.json", "orders/create", "US", "5512839209004", 12050,
       "USD", 3, false, false, false, "zoe.angstrom@example.se", "",
       "7301928370004", "Zoë", "Ångström-Łukasiewicz", "2026-02-01T15:15:44Z"},
  }));
  INFO(c.file << " as " << c.topic);
  v1::Event e = shopify.DecodeOne(c.file, c.topic, c.region);
  CHECK(e.source() == "shopify");
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
  CHECK(o.updated_at() == c.updated_at);
  CHECK(o.created_at() == "2026-02-01T15:15:42Z");
  CHECK(e.occurred_at() == c.updated_at);
  CHECK(o.checkout_token() == "0c3f5e8d9a7b6c5d4e3f2a1b0c9d8e7f");
  const auto& ids = e.identifiers();
  REQUIRE(ids.emails_size() == 1);
  CHECK(ids.emails(0) == c.email);
  if (std::string(c.phone).empty()) {
    CHECK(ids.phones_size() == 0);
  } else {
    REQUIRE(ids.phones_size() == 1);
    CHECK(ids.phones(0) == c.phone);
  }
  if (std::string(c.shopify_id).empty()) {
    CHECK(ids.external_ids().empty());
  } else {
    CHECK(ids.external_ids().at("shopify") == c.shopify_id);
  }
  CHECK(e.first_name() == c.first_name);
  CHECK(e.last_name() == c.last_name);
}

TEST_CASE("an orders/updated storm keeps each delivery's own updated_at",
          "[connectors][shopify]") {
  struct Delivery {
    const char* file;
    const char* updated_at;
    bool paid;
  };
  auto d = GENERATE(values<Delivery>({
      {"order_updated_1.json", "2026-02-01T15:20:00Z", false},
      {"order_updated_2.json", "2026-02-01T15:21:30Z", true},
      {"order_updated_3.json", "2026-02-02T14:00:00Z", true},
  }));
  v1::Event e = shopify.DecodeOne(d.file, "orders/updated");
  CHECK(e.order().order_id() == "5512839201837");
  CHECK(e.order().updated_at() == d.updated_at);
  CHECK(e.occurred_at() == d.updated_at);
  CHECK(e.order().paid() == d.paid);
  // "partial" fulfilment is not "fulfilled".
  CHECK_FALSE(e.order().fulfilled());
}

TEST_CASE("a Shopify order with no identifier decodes but fails validation",
          "[connectors][shopify]") {
  std::string body = shopify.Fixture("order_no_identifiers.json");
  Events events = shopify.Decode(body, "orders/create");
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  CHECK(events->front().order().total().minor() == 12050);
  absl::Status s = ValidateAll(&*events);
  REQUIRE_FALSE(s.ok());
  CHECK(absl::StartsWith(s.message(), "identifiers: "));
}

TEST_CASE(
    "Shopify refunds sum successful refund transactions in their currency",
    "[connectors][shopify]") {
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
      // One failed and one successful transaction; one returned line, one
      // kept (no_restock).
      {"refund_partial.json", "929361464", "5512839201837", 7250, "USD", 1,
       "2026-02-10T19:03:27Z"},
      // Two refund transactions add up; the capture does not count.
      {"refund_full.json", "929361470", "5512839201837", 12050, "USD", 3,
       "2026-02-12T08:30:00Z"},
      // No transactions: the lines' subtotals, three decimals.
      {"refund_restock_only.json", "929361480", "5512839209002", 25125, "KWD",
       0, "2026-03-01T05:00:00Z"},
      {"refund_jpy.json", "929361490", "5512839209001", 4320, "JPY", 1,
       "2026-02-20T02:00:00Z"},
  }));
  INFO(c.file);
  v1::Event e = shopify.DecodeOne(c.file, "refunds/create");
  REQUIRE(e.has_refund());
  const v1::Refund& r = e.refund();
  CHECK(r.refund_id() == c.refund_id);
  CHECK(r.order_id() == c.order_id);
  CHECK(r.amount().minor() == c.minor);
  CHECK(r.amount().currency() == c.currency);
  CHECK(r.items_returned() == c.returned);
  CHECK(r.created_at() == c.created_at);
  CHECK(e.occurred_at() == c.created_at);
  // A refund reaches its customer through the order ledger.
  CHECK(e.identifiers().emails().empty());
}

TEST_CASE(
    "a Shopify refund counts only restock_type return lines as returned items",
    "[connectors][shopify]") {
  std::string body = R"({"id": 1, "order_id": 2,
    "created_at": "2026-02-10T14:03:27Z",
    "refund_line_items": [
      {"quantity": 2, "restock_type": "return", "subtotal": 10.0},
      {"quantity": 5, "restock_type": "no_restock", "subtotal": 10.0},
      {"quantity": 7, "restock_type": "cancel", "subtotal": 10.0},
      {"quantity": 1, "restock_type": "return", "subtotal": 10.0}],
    "transactions": [{"kind": "refund", "status": "success",
                      "amount": "40.00", "currency": "EUR"}]})";
  Events events = shopify.Decode(body, "refunds/create");
  REQUIRE(events.ok());
  CHECK(events->front().refund().items_returned() == 3);
  CHECK(events->front().refund().amount().minor() == 4000);
  CHECK(events->front().refund().amount().currency() == "EUR");
}

TEST_CASE(
    "Shopify checkouts decode with value, completion and the shopper's "
    "identifiers",
    "[connectors][shopify]") {
  SECTION("an open checkout") {
    v1::Event e = shopify.DecodeOne("checkout_create.json", "checkouts/create");
    REQUIRE(e.has_checkout());
    CHECK(e.checkout().checkout_token() == "d41c9a7e5b3f2c1a0e9d8c7b6a5f4e3d");
    CHECK(e.checkout().value().minor() == 5413);
    CHECK(e.checkout().value().currency() == "USD");
    CHECK_FALSE(e.checkout().completed());
    CHECK(e.checkout().created_at() == "2026-02-06T03:42:11Z");
    CHECK(e.checkout().updated_at() == "2026-02-06T03:44:03Z");
    CHECK(e.occurred_at() == "2026-02-06T03:44:03Z");
    CHECK(e.identifiers().emails(0) == "mia.chen@example.com");
    CHECK(e.identifiers().phones(0) == "+12065550188");
    CHECK(e.identifiers().external_ids().at("shopify") == "7301928379900");
    CHECK(e.first_name() == "Mia");
  }
  SECTION("a completed checkout") {
    v1::Event e =
        shopify.DecodeOne("checkout_update_completed.json", "checkouts/update");
    CHECK(e.checkout().completed());
    CHECK(e.checkout().value().minor() == 8119);
    CHECK(e.occurred_at() == "2026-02-06T03:51:40Z");
  }
  SECTION("a guest checkout known only by phone") {
    v1::Event e = shopify.DecodeOne("checkout_create_phone_only.json",
                                    "checkouts/create");
    CHECK(e.identifiers().emails().empty());
    CHECK(e.identifiers().phones(0) == "+442079460958");
    CHECK(e.identifiers().external_ids().empty());
    CHECK(e.checkout().value().minor() == 0);
    CHECK(e.checkout().value().currency() == "GBP");
  }
}

TEST_CASE("Shopify customers update names, identifiers and marketing consent",
          "[connectors][shopify]") {
  SECTION("email_marketing_consent subscribed") {
    v1::Event e = shopify.DecodeOne("customer_create.json", "customers/create");
    REQUIRE(e.has_customer());
    CHECK(e.customer().has_accepts_marketing());
    CHECK(e.customer().accepts_marketing());
    CHECK(e.identifiers().emails(0) == "lukas.mueller@example.de");
    CHECK(e.identifiers().phones(0) == "+4930901820");
    CHECK(e.identifiers().external_ids().at("shopify") == "7301928371111");
    CHECK(e.first_name() == "Lukas");
    CHECK(e.last_name() == "Müller");
    CHECK(e.occurred_at() == "2026-01-15T11:00:01Z");
  }
  SECTION("legacy accepts_marketing false, names and phone from the address") {
    v1::Event e = shopify.DecodeOne("customer_update_legacy.json",
                                    "customers/update", "DE");
    CHECK(e.customer().has_accepts_marketing());
    CHECK_FALSE(e.customer().accepts_marketing());
    CHECK(e.first_name() == "Lukas");
    CHECK(e.last_name() == "Müller");
    CHECK(e.identifiers().phones(0) == "+4930901820");
    CHECK(e.occurred_at() == "2026-03-02T07:15:00Z");
  }
  SECTION("no marketing field leaves consent unknown") {
    Events events = shopify.Decode(
        R"({"id": 9007199254740993, "email": "x@example.com",
            "updated_at": "2026-01-01T00:00:00Z"})",
        "customers/update");
    REQUIRE(events.ok());
    CHECK_FALSE(events->front().customer().has_accepts_marketing());
    // Ids beyond 2^53 keep every digit.
    CHECK(events->front().identifiers().external_ids().at("shopify") ==
          "9007199254740993");
  }
}

TEST_CASE("a Shopify body wrapped in its resource name is unwrapped",
          "[connectors][shopify]") {
  Events events = shopify.Decode(
      R"({"order": {"id": 77, "total_price": "5.00", "currency": "CAD",
          "email": "w@example.ca", "created_at": "2026-01-01T00:00:00Z",
          "line_items": [{"quantity": 4}]}})",
      "orders/create");
  REQUIRE(events.ok());
  CHECK(events->front().order().order_id() == "77");
  CHECK(events->front().order().item_count() == 4);
  CHECK(events->front().occurred_at() == "2026-01-01T00:00:00Z");
}

TEST_CASE("bad Shopify bodies fail naming the offending field",
          "[connectors][shopify]") {
  struct BadCase {
    const char* file;
    const char* topic;
    const char* prefix;
  };
  auto c = GENERATE(values<BadCase>({
      {"order_total_wrong_type.json", "orders/create", "total_price: expected"},
      {"order_total_missing.json", "orders/updated", "total_price: missing"},
      {"order_quantity_wrong_type.json", "orders/create",
       "line_items[1].quantity: 'one'"},
      {"refund_amount_wrong_type.json", "refunds/create",
       "transactions[0].amount: expected"},
      {"order_truncated.json", "orders/create", "body: not valid JSON"},
      {"order_create.json", "products/create",
       "event-type: 'products/create' is not a shopify event type"},
  }));
  INFO(c.file << " as " << c.topic);
  std::string message = shopify.ErrorOf(shopify.Fixture(c.file), c.topic);
  INFO(message);
  CHECK(absl::StartsWith(message, c.prefix));
}

TEST_CASE("a Shopify body that is not a JSON object is refused",
          "[connectors][shopify]") {
  CHECK(absl::StartsWith(shopify.ErrorOf("[1, 2]", "orders/create"),
                         "body: expected a JSON object"));
  CHECK(absl::StartsWith(shopify.ErrorOf("", "orders/create"),
                         "body: not valid JSON"));
  CHECK(absl::StartsWith(
      shopify.ErrorOf(
          R"({"id": 1, "total_price": "1.00", "currency": "USD"} x)",
          "orders/create"),
      "body: not valid JSON"));
  CHECK(absl::StartsWith(
      shopify.ErrorOf(R"({"id": 1, "total_price": "1.001", "currency": "USD"})",
                      "orders/create"),
      "total_price: "));
  CHECK(absl::StartsWith(
      shopify.ErrorOf(R"({"id": 1, "total_price": "1.00", "currency": "usd"})",
                      "orders/create"),
      "currency: 'usd' is not an ISO 4217 code"));
}
