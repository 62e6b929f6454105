#include "src/profile/fold.h"

#include <catch2/catch.hpp>

#include "src/common/time.h"

namespace v1 = custhub::v1;
using custhub::Micros;
using custhub::ParseRfc3339;
using namespace custhub::profile;

namespace {

Micros T(const char* s) { return *ParseRfc3339(s); }

v1::Order MakeOrder(const char* id, int64_t minor, const char* updated,
                    int items = 1) {
  v1::Order o;
  o.set_order_id(id);
  o.mutable_total()->set_minor(minor);
  o.mutable_total()->set_currency("USD");
  o.set_item_count(items);
  o.set_created_at("2026-01-01T10:00:00Z");
  o.set_updated_at(updated);
  return o;
}

v1::Refund MakeRefund(const char* id, const char* order, int64_t minor,
                      int returned = 0) {
  v1::Refund r;
  r.set_refund_id(id);
  r.set_order_id(order);
  r.mutable_amount()->set_minor(minor);
  r.mutable_amount()->set_currency("USD");
  r.set_items_returned(returned);
  r.set_created_at("2026-01-05T10:00:00Z");
  return r;
}

}  // namespace

TEST_CASE("the same order delivered twice counts once", "[profile]") {
  v1::CustomerState c;
  v1::OrderLedgerEntry entry;
  auto o = MakeOrder("1001", 5000, "2026-01-01T10:00:00Z", 2);
  REQUIRE(
      *ApplyOrder(o, T("2026-01-01T10:00:00Z"), "email:a@b.com", &entry, &c));
  CHECK_FALSE(
      *ApplyOrder(o, T("2026-01-01T10:00:00Z"), "email:a@b.com", &entry, &c));
  Finalize(&c);
  CHECK(c.profile().orders().count() == 1);
  CHECK(c.profile().orders().gross_revenue().minor() == 5000);
  CHECK(c.profile().orders().items_bought() == 2);
  CHECK(c.profile().orders().average_order_value().minor() == 5000);
}

TEST_CASE("an order delivery changes the entry when any of its fields moves",
          "[profile]") {
  // ApplyOrder compares the entry field by field (SameOrderFields): a field
  // added to OrderLedgerEntry must be compared there too.
  CHECK(v1::OrderLedgerEntry::descriptor()->field_count() == 11);
  v1::CustomerState c;
  v1::OrderLedgerEntry entry;
  auto o = MakeOrder("1001", 5000, "2026-01-01T10:00:00Z", 2);
  REQUIRE(
      *ApplyOrder(o, T("2026-01-01T10:00:00Z"), "email:a@b.com", &entry, &c));
  auto paid = o;
  paid.set_paid(true);
  CHECK(*ApplyOrder(paid, T("2026-01-01T10:00:00Z"), "email:a@b.com", &entry,
                    &c));
  auto token = paid;
  token.set_checkout_token("tok");
  CHECK(*ApplyOrder(token, T("2026-01-01T10:00:00Z"), "email:a@b.com", &entry,
                    &c));
  CHECK(*ApplyOrder(token, T("2026-01-01T10:00:00Z"), "phone:+15550100", &entry,
                    &c));  // another key
  auto dearer = token;
  dearer.mutable_total()->set_minor(5001);
  CHECK(*ApplyOrder(dearer, T("2026-01-01T10:00:00Z"), "phone:+15550100",
                    &entry, &c));
  CHECK_FALSE(*ApplyOrder(dearer, T("2026-01-01T10:00:00Z"), "phone:+15550100",
                          &entry, &c));
}

TEST_CASE("an order update with an older updated_at changes nothing",
          "[profile]") {
  v1::CustomerState c;
  v1::OrderLedgerEntry entry;
  auto newer = MakeOrder("1001", 7000, "2026-01-02T10:00:00Z");
  newer.set_fulfilled(true);
  auto older = MakeOrder("1001", 5000, "2026-01-01T10:00:00Z");
  REQUIRE(*ApplyOrder(newer, T("2026-01-02T10:00:00Z"), "email:a@b.com", &entry,
                      &c));
  CHECK_FALSE(*ApplyOrder(older, T("2026-01-01T10:00:00Z"), "email:a@b.com",
                          &entry, &c));
  Finalize(&c);
  CHECK(c.profile().orders().gross_revenue().minor() == 7000);
  CHECK(c.profile().orders().open_count() == 0);
}

TEST_CASE("a newer order update replaces the order's contribution",
          "[profile]") {
  v1::CustomerState c;
  v1::OrderLedgerEntry entry;
  REQUIRE(*ApplyOrder(MakeOrder("1", 5000, "2026-01-01T10:00:00Z"),
                      T("2026-01-01T10:00:00Z"), "email:a@b.com", &entry, &c));
  REQUIRE(*ApplyOrder(MakeOrder("1", 6500, "2026-01-01T11:00:00Z", 3),
                      T("2026-01-01T11:00:00Z"), "email:a@b.com", &entry, &c));
  Finalize(&c);
  CHECK(c.profile().orders().count() == 1);
  CHECK(c.profile().orders().gross_revenue().minor() == 6500);
  CHECK(c.profile().orders().items_bought() == 3);
}

TEST_CASE("refund before its order is applied when the order arrives",
          "[profile]") {
  v1::CustomerState c;
  v1::OrderLedgerEntry entry;
  // The refund comes first: no customer is known yet, it is held.
  REQUIRE(*ApplyRefund(MakeRefund("r1", "1001", 1500, 1),
                       T("2026-01-05T10:00:00Z"), &entry, nullptr));
  CHECK_FALSE(entry.order_seen());
  CHECK(c.profile().orders().refunded().minor() == 0);
  REQUIRE(*ApplyOrder(MakeOrder("1001", 5000, "2026-01-01T10:00:00Z", 2),
                      T("2026-01-01T10:00:00Z"), "email:a@b.com", &entry, &c));
  Finalize(&c);
  CHECK(c.profile().orders().gross_revenue().minor() == 5000);
  CHECK(c.profile().orders().refunded().minor() == 1500);
  CHECK(c.profile().orders().net_revenue().minor() == 3500);
  CHECK(c.profile().returns().items_returned() == 1);
  CHECK(c.profile().returns().count() == 1);
  CHECK(c.profile().returns().return_rate() == Approx(0.5));
}

TEST_CASE("a refund id seen before counts once", "[profile]") {
  v1::CustomerState c;
  v1::OrderLedgerEntry entry;
  REQUIRE(*ApplyOrder(MakeOrder("1", 5000, "2026-01-01T10:00:00Z"),
                      T("2026-01-01T10:00:00Z"), "email:a@b.com", &entry, &c));
  REQUIRE(*ApplyRefund(MakeRefund("r1", "1", 1000), T("2026-01-05T10:00:00Z"),
                       &entry, &c));
  CHECK_FALSE(*ApplyRefund(MakeRefund("r1", "1", 1000),
                           T("2026-01-05T10:00:00Z"), &entry, &c));
  REQUIRE(*ApplyRefund(MakeRefund("r2", "1", 500), T("2026-01-06T10:00:00Z"),
                       &entry, &c));
  Finalize(&c);
  CHECK(c.profile().orders().refunded().minor() == 1500);
  CHECK(c.profile().orders().net_revenue().minor() == 3500);
}

TEST_CASE("a cancelled order moves out of revenue", "[profile]") {
  v1::CustomerState c;
  v1::OrderLedgerEntry entry;
  REQUIRE(*ApplyOrder(MakeOrder("1", 5000, "2026-01-01T10:00:00Z"),
                      T("2026-01-01T10:00:00Z"), "email:a@b.com", &entry, &c));
  auto cancelled = MakeOrder("1", 5000, "2026-01-01T12:00:00Z");
  cancelled.set_cancelled(true);
  REQUIRE(*ApplyOrder(cancelled, T("2026-01-01T12:00:00Z"), "email:a@b.com",
                      &entry, &c));
  Finalize(&c);
  CHECK(c.profile().orders().count() == 0);
  CHECK(c.profile().orders().cancelled_count() == 1);
  CHECK(c.profile().orders().gross_revenue().minor() == 0);
  CHECK(c.profile().orders().open_count() == 0);
}

TEST_CASE("an order in another currency than the customer's is refused",
          "[profile]") {
  v1::CustomerState c;
  v1::OrderLedgerEntry a, b;
  REQUIRE(*ApplyOrder(MakeOrder("1", 5000, "2026-01-01T10:00:00Z"),
                      T("2026-01-01T10:00:00Z"), "email:a@b.com", &a, &c));
  auto eur = MakeOrder("2", 5000, "2026-01-01T10:00:00Z");
  eur.mutable_total()->set_currency("EUR");
  auto r = ApplyOrder(eur, T("2026-01-01T10:00:00Z"), "email:a@b.com", &b, &c);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("order.total.currency") !=
        absl::string_view::npos);
  Finalize(&c);
  CHECK(c.profile().orders().count() == 1);  // untouched
}

TEST_CASE("the newest consent wins whatever order deliveries arrive in",
          "[profile]") {
  v1::ConsentChange sub, unsub;
  sub.set_state(v1::ConsentChange::SUBSCRIBED);
  unsub.set_state(v1::ConsentChange::UNSUBSCRIBED);
  v1::CustomerState forward, backward;
  REQUIRE(ApplyConsent(sub, T("2026-01-01T00:00:00Z"), &forward).ok());
  REQUIRE(ApplyConsent(unsub, T("2026-01-02T00:00:00Z"), &forward).ok());
  REQUIRE(ApplyConsent(unsub, T("2026-01-02T00:00:00Z"), &backward).ok());
  REQUIRE(ApplyConsent(sub, T("2026-01-01T00:00:00Z"), &backward).ok());
  CHECK(forward.profile().email().consent() == v1::EmailStats::UNSUBSCRIBED);
  CHECK(backward.profile().email().consent() == v1::EmailStats::UNSUBSCRIBED);
  v1::EmailEngagement bounce;
  bounce.set_kind(v1::EmailEngagement::BOUNCED);
  REQUIRE(ApplyEmail(bounce, T("2026-01-03T00:00:00Z"), &forward).ok());
  CHECK(forward.profile().email().consent() == v1::EmailStats::BOUNCED);
  CHECK(forward.profile().email().bounces() == 1);
}

TEST_CASE("tickets count open until solved, and an older update is ignored",
          "[profile]") {
  v1::CustomerState c;
  v1::TicketLedgerEntry t1, t2;
  v1::Ticket open;
  open.set_ticket_id("T1");
  open.set_status("open");
  open.set_updated_at("2026-01-01T10:00:00Z");
  v1::Ticket solved = open;
  solved.set_status("solved");
  solved.set_updated_at("2026-01-02T10:00:00Z");
  solved.set_satisfaction("bad");
  REQUIRE(
      *ApplyTicket(open, T("2026-01-01T10:00:00Z"), "email:a@b.com", &t1, &c));
  CHECK(c.profile().support().open_tickets() == 1);
  REQUIRE(*ApplyTicket(solved, T("2026-01-02T10:00:00Z"), "email:a@b.com", &t1,
                       &c));
  CHECK_FALSE(
      *ApplyTicket(open, T("2026-01-01T10:00:00Z"), "email:a@b.com", &t1, &c));
  v1::Ticket other = open;
  other.set_ticket_id("T2");
  REQUIRE(
      *ApplyTicket(other, T("2026-01-03T10:00:00Z"), "email:a@b.com", &t2, &c));
  CHECK(c.profile().support().open_tickets() == 1);
  CHECK(c.profile().support().total_tickets() == 2);
  CHECK(c.profile().support().last_satisfaction() == "bad");
}

TEST_CASE("an order closes the checkout it came from, even arriving first",
          "[profile]") {
  v1::Checkout checkout;
  checkout.set_checkout_token("tok1");
  checkout.mutable_value()->set_minor(4200);
  checkout.mutable_value()->set_currency("USD");
  checkout.set_created_at("2026-01-01T09:00:00Z");
  auto order = MakeOrder("1", 4200, "2026-01-01T10:00:00Z");
  order.set_checkout_token("tok1");

  v1::CustomerState c1;
  v1::OrderLedgerEntry e1;
  REQUIRE(ApplyCheckout(checkout, T("2026-01-01T09:00:00Z"), &c1).ok());
  CHECK(c1.profile().checkout().open());
  REQUIRE(
      ApplyOrder(order, T("2026-01-01T10:00:00Z"), "email:a@b.com", &e1, &c1)
          .ok());
  CHECK_FALSE(c1.profile().checkout().open());

  v1::CustomerState c2;
  v1::OrderLedgerEntry e2;
  REQUIRE(
      ApplyOrder(order, T("2026-01-01T10:00:00Z"), "email:a@b.com", &e2, &c2)
          .ok());
  REQUIRE(ApplyCheckout(checkout, T("2026-01-01T09:00:00Z"), &c2).ok());
  CHECK_FALSE(c2.profile().checkout().open());
}
