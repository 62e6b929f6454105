#include "src/profile/traits.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "absl/strings/match.h"
#include "src/common/time.h"
#include "src/profile/fold.h"

namespace v1 = custhub::v1;
using custhub::kMicrosPerDay;
using custhub::Micros;
using custhub::ParseRfc3339;
using namespace custhub::profile;

namespace {

Micros T(const char* s) { return *ParseRfc3339(s); }

// A customer with one order of `minor` USD per entry of `created`.
v1::CustomerState WithOrders(std::initializer_list<const char*> created,
                             int64_t minor) {
  v1::CustomerState c;
  int n = 0;
  for (const char* at : created) {
    v1::Order o;
    o.set_order_id(std::to_string(++n));
    o.mutable_total()->set_minor(minor);
    o.mutable_total()->set_currency("USD");
    o.set_item_count(1);
    o.set_created_at(at);
    v1::OrderLedgerEntry entry;
    REQUIRE(ApplyOrder(o, T(at), "email:a@b.com", &entry, &c).ok());
  }
  Finalize(&c);
  return c;
}

}  // namespace

TEST_CASE("a customer without orders is new with zero scores", "[profile]") {
  v1::CustomerState c;
  ComputeTraits(TraitsConfig{}, T("2026-01-01T00:00:00Z"), &c);
  const auto& t = c.profile().traits();
  CHECK(t.recency() == 0);
  CHECK(t.frequency() == 0);
  CHECK(t.monetary() == 0);
  CHECK(t.lifecycle_stage() == "new");
  CHECK(t.churn_risk() == 0.0);
  CHECK(t.predicted_ltv().minor() == 0);
}

TEST_CASE("RFM scores follow the documented cut-offs", "[profile]") {
  TraitsConfig config;
  auto c = WithOrders({"2026-01-01T00:00:00Z"}, 5000);
  struct Case {
    int days, recency;
  };
  for (Case k : {Case{0, 5}, Case{30, 5}, Case{31, 4}, Case{60, 4}, Case{61, 3},
                 Case{90, 3}, Case{91, 2}, Case{180, 2}, Case{181, 1}}) {
    INFO(k.days);
    ComputeTraits(config, T("2026-01-01T00:00:00Z") + k.days * kMicrosPerDay,
                  &c);
    CHECK(c.profile().traits().recency() == k.recency);
  }
  CHECK(c.profile().traits().frequency() == 1);
  CHECK(c.profile().traits().monetary() == 2);  // 50.00 reaches the first cut

  auto many = WithOrders(
      {"2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z",
       "2026-01-04T00:00:00Z", "2026-01-05T00:00:00Z"},
      4999);
  ComputeTraits(config, T("2026-01-06T00:00:00Z"), &many);
  CHECK(many.profile().traits().frequency() == 4);  // 5 orders
  CHECK(many.profile().traits().monetary() == 3);   // 249.95
}

TEST_CASE("churn risk is half after one usual interval", "[profile]") {
  TraitsConfig config;
  // Orders 10 days apart: the usual interval is 10 days.
  auto c = WithOrders(
      {"2026-01-01T00:00:00Z", "2026-01-11T00:00:00Z", "2026-01-21T00:00:00Z"},
      1000);
  CHECK(UsualOrderInterval(config, c) == 10 * kMicrosPerDay);
  CHECK(ChurnRisk(config, c, T("2026-01-21T00:00:00Z")) == 0.0);
  CHECK(ChurnRisk(config, c, T("2026-01-31T00:00:00Z")) == Approx(0.5));
  CHECK(ChurnRisk(config, c, T("2026-02-10T00:00:00Z")) == Approx(0.75));
  // Before the last order (a late event) counts as no time at all.
  CHECK(ChurnRisk(config, c, T("2026-01-01T00:00:00Z")) == 0.0);
}

TEST_CASE("the usual interval has a floor and a single-order default",
          "[profile]") {
  TraitsConfig config;
  auto burst =
      WithOrders({"2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"}, 100);
  CHECK(UsualOrderInterval(config, burst) == 7 * kMicrosPerDay);
  auto single = WithOrders({"2026-01-01T00:00:00Z"}, 100);
  CHECK(UsualOrderInterval(config, single) == 30 * kMicrosPerDay);
  CHECK(UsualOrderInterval(config, v1::CustomerState{}) == 0);
}

TEST_CASE(
    "the churn crossing is the first time the score reaches the threshold",
    "[profile]") {
  TraitsConfig config;
  auto c = WithOrders({"2026-01-01T00:00:00Z", "2026-01-11T00:00:00Z"}, 1000);
  auto at = ChurnCrossing(config, c, 0.75);
  REQUIRE(at.has_value());
  CHECK(*at == T("2026-01-31T00:00:00Z"));
  auto seventy = ChurnCrossing(config, c, 0.7);
  REQUIRE(seventy.has_value());
  CHECK(ChurnRisk(config, c, *seventy) >= 0.7);
  CHECK(ChurnRisk(config, c, *seventy - 1) < 0.7);
  CHECK_FALSE(ChurnCrossing(config, v1::CustomerState{}, 0.7).has_value());
}

TEST_CASE("lifecycle stage: vip, active, at_risk and lapsed", "[profile]") {
  TraitsConfig config;
  auto vip =
      WithOrders({"2026-01-01T00:00:00Z", "2026-01-20T00:00:00Z"}, 60000);
  ComputeTraits(config, T("2026-01-21T00:00:00Z"), &vip);
  CHECK(vip.profile().traits().lifecycle_stage() == "vip");

  auto c = WithOrders({"2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"}, 1000);
  ComputeTraits(config, T("2026-03-10T00:00:00Z"), &c);
  CHECK(c.profile().traits().lifecycle_stage() == "active");
  // 59-day interval: the risk reaches 0.7 after about 102 days, but 90
  // days without an order already make the customer at risk.
  ComputeTraits(config, T("2026-05-30T00:00:00Z"), &c);
  CHECK(c.profile().traits().lifecycle_stage() == "at_risk");
  ComputeTraits(config, T("2026-08-28T00:00:00Z"), &c);
  CHECK(c.profile().traits().lifecycle_stage() == "lapsed");
  // A lapsed VIP is lapsed.
  ComputeTraits(config, T("2026-12-01T00:00:00Z"), &vip);
  CHECK(vip.profile().traits().lifecycle_stage() == "lapsed");

  auto one = WithOrders({"2026-01-01T00:00:00Z"}, 1000);
  ComputeTraits(config, T("2026-01-02T00:00:00Z"), &one);
  CHECK(one.profile().traits().lifecycle_stage() == "new");
  // One order, usual interval 30 days: at risk from day 53 (risk 0.7).
  ComputeTraits(config, T("2026-02-23T00:00:00Z"), &one);
  CHECK(one.profile().traits().lifecycle_stage() == "at_risk");
}

TEST_CASE("predicted lifetime value projects the revenue rate over a year",
          "[profile]") {
  TraitsConfig config;
  // 300.00 over a 360-day tenure, right after an order (risk 0): the next
  // 365 days bring 300 * 365 / 360.
  auto c = WithOrders(
      {"2025-01-06T00:00:00Z", "2025-07-04T00:00:00Z", "2026-01-01T00:00:00Z"},
      10000);
  ComputeTraits(config, T("2026-01-01T00:00:00Z"), &c);
  CHECK(c.profile().traits().predicted_ltv().minor() ==
        30000 + std::llround(30000.0 * 365 / 360));
  CHECK(c.profile().traits().predicted_ltv().currency() == "USD");
  // A single recent order is measured over the 180-day minimum tenure.
  auto one = WithOrders({"2026-01-01T00:00:00Z"}, 5000);
  ComputeTraits(config, T("2026-01-01T00:00:00Z"), &one);
  CHECK(one.profile().traits().predicted_ltv().minor() ==
        5000 + std::llround(5000.0 * 365 / 180));
  // It falls with the churn risk.
  ComputeTraits(config, T("2026-03-02T00:00:00Z"), &one);  // risk 0.75
  CHECK(one.profile().traits().predicted_ltv().minor() ==
        5000 + std::llround(5000.0 * 365 / 180 * 0.25));
}

TEST_CASE("traits use net revenue even before Finalize", "[profile]") {
  auto c = WithOrders({"2026-01-01T00:00:00Z"}, 5000);
  c.mutable_profile()->mutable_orders()->mutable_refunded()->set_minor(4000);
  CHECK(NetRevenueMinor(c) == 1000);
  ComputeTraits(TraitsConfig{}, T("2026-01-01T00:00:00Z"), &c);
  CHECK(c.profile().traits().monetary() == 1);
}

TEST_CASE("traits config validation names the bad field", "[profile]") {
  CHECK(TraitsConfig{}.Validate().ok());
  TraitsConfig unsorted;
  unsorted.recency_days = {30, 20, 90, 180};
  CHECK(absl::StrContains(unsorted.Validate().message(), "recency_days"));
  TraitsConfig lapsed;
  lapsed.lapsed_after = absl::Hours(24);
  CHECK(absl::StrContains(lapsed.Validate().message(), "lapsed_after"));
  TraitsConfig risk;
  risk.at_risk_churn_risk = 1.5;
  CHECK(absl::StrContains(risk.Validate().message(), "at_risk_churn_risk"));
  TraitsConfig horizon;
  horizon.ltv_horizon = absl::ZeroDuration();
  CHECK(absl::StrContains(horizon.Validate().message(), "ltv_horizon"));
}
