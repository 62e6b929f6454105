// Evaluate's "did this event change the orders" check: a fulfilled order
// schedules post_purchase_review only when the fold changed the order
// stats, whichever field (or field presence) changed.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "custhub/v1/common.pb.h"
#include "src/rules/rules.h"

namespace {

namespace v1 = custhub::v1;
namespace rules = custhub::rules;

constexpr custhub::Micros kAt = 1'714'550'400'000'000;  // 2024-05-01

v1::CustomerState WithOrders() {
  v1::CustomerState s;
  s.mutable_profile()->set_customer_id("cus_1");
  auto* o = s.mutable_profile()->mutable_orders();
  o->set_count(1);
  o->mutable_first_order_at()->set_seconds(kAt / 1'000'000 - 86400);
  o->mutable_last_order_at()->set_seconds(kAt / 1'000'000 - 86400);
  o->mutable_gross_revenue()->set_minor(1000);
  o->mutable_gross_revenue()->set_currency("USD");
  *o->mutable_net_revenue() = o->gross_revenue();
  *o->mutable_average_order_value() = o->gross_revenue();
  o->set_items_bought(1);
  // Already armed for this last order, so only the review timer is new.
  s.mutable_rules()->set_first_purchase_fired(true);
  s.mutable_rules()->set_churn_armed_last_order_micros(kAt - 86400'000'000);
  return s;
}

v1::Event FulfilledOrder() {
  v1::Event e;
  e.set_source("shopify");
  e.set_event_id("e1");
  e.mutable_order()->set_order_id("1001");
  e.mutable_order()->set_fulfilled(true);
  return e;
}

// Whether Evaluate, seeing `before` become `before` changed by `change`,
// scheduled a review of the order.
bool SchedulesReview(const std::function<void(v1::OrderStats*)>& change) {
  const v1::CustomerState before = WithOrders();
  v1::CustomerState after = before;
  change(after.mutable_profile()->mutable_orders());
  rules::Evaluate(rules::RulesConfig{}, rules::BeforeView(before), &after,
                  FulfilledOrder(), kAt);
  for (const auto& t : after.rules().timers()) {
    if (t.kind() == rules::kPostPurchaseReview) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a fulfilled order is reviewed only when it changed the orders",
          "[rules]") {
  CHECK_FALSE(SchedulesReview([](v1::OrderStats*) {}));
  const std::vector<std::function<void(v1::OrderStats*)>> changes = {
      [](auto* o) { o->set_count(2); },
      [](auto* o) { o->mutable_first_order_at()->set_nanos(1000); },
      [](auto* o) { o->mutable_last_order_at()->set_seconds(1); },
      [](auto* o) { o->mutable_gross_revenue()->set_minor(2000); },
      [](auto* o) { o->mutable_gross_revenue()->set_currency("EUR"); },
      [](auto* o) { o->mutable_refunded()->set_minor(1); },
      [](auto* o) { o->mutable_refunded(); },  // present, still zero
      [](auto* o) { o->clear_net_revenue(); },
      [](auto* o) { o->mutable_average_order_value()->set_minor(7); },
      [](auto* o) { o->set_cancelled_count(1); },
      [](auto* o) { o->set_open_count(1); },
      [](auto* o) { o->set_items_bought(3); },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    INFO("change " << i);
    CHECK(SchedulesReview(changes[i]));
  }
}

TEST_CASE("the orders check knows every field of the order stats", "[rules]") {
  // rules.cc compares these messages field by field: a new field must be
  // added there (and to the changes above) before this count is raised.
  CHECK(v1::OrderStats::descriptor()->field_count() == 10);
  CHECK(v1::Money::descriptor()->field_count() == 2);
  CHECK(google::protobuf::Timestamp::descriptor()->field_count() == 2);
}
