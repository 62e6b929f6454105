// Computed traits: RFM scores, lifecycle stage, churn risk and predicted
// lifetime value, evaluated from the folded aggregates as of an event time.
// Pure and deterministic: the same state and time give the same traits.
//
//   profile::TraitsConfig config;                 // defaults below
//   CUSTHUB_RETURN_IF_ERROR(config.Validate());   // once, at start-up
//   profile::Finalize(&state);                    // net revenue first
//   profile::ComputeTraits(config, std::max(state.last_event_micros(), at),
//                          &state);
//   state.profile().traits().lifecycle_stage();   // "active"
//
// Formulas (r = days since the last order at `as_of`, n = orders placed and
// not cancelled, net = net revenue in minor units of the shop currency):
//
//   RFM        recency   5 if r <= 30, 4 if <= 60, 3 if <= 90, 2 if <= 180,
//                        else 1;
//              frequency 1 for one order, 2 from 2, 3 from 3, 4 from 5,
//                        5 from 10 orders;
//              monetary  1 below 50.00, 2 from 50.00, 3 from 200.00,
//                        4 from 500.00, 5 from 1000.00 (minor units 5000,
//                        20000, 50000, 100000). All 0 before the first order.
//   interval   I = (last order - first order) / (n - 1) for n >= 2, at least
//              7 days; 30 days for a single order.
//   churn      risk = 1 - 2^(-r / I): 0 right after an order, 0.5 one usual
//              interval later, 0.75 after two, 0.7 after about 1.74 I. It
//              only grows between orders, so the time it crosses a threshold
//              is known in advance (ChurnCrossing), which is how the rules
//              fire churn_risk on event time.
//   lifecycle  (first match) new: no order yet; lapsed: r >= 180 days;
//              at_risk: r >= 90 days or risk >= 0.7; vip: net >= 1000.00;
//              new: one order; active: otherwise.
//   LTV        net + net * (H / max(tenure, 180 days)) * (1 - risk), with
//              H = 365 days and tenure = as_of - first order: the revenue
//              rate so far (order frequency x average net order value),
//              projected over the horizon and weighted by the chance the
//              customer is still active. It is a transparent heuristic for
//              ranking and segmenting, NOT a fitted probabilistic model
//              (BG/NBD, Gamma-Gamma), not discounted, revenue not margin,
//              and it knows nothing of seasonality or cohorts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "custhub/v1/state.pb.h"
#include "src/common/time.h"

namespace custhub::profile {

// Thresholds of the computed traits. Money is in minor units of the shop
// currency. Plain options: copy freely, validate once at start-up.
struct TraitsConfig {
  // RFM recency: days since the last order at or below [0] score 5, [1] 4,
  // [2] 3, [3] 2; more scores 1. Ascending.
  // Default: {30, 60, 90, 180}
  std::array<int, 4> recency_days = {30, 60, 90, 180};
  // RFM frequency: an order count at or above [0] scores 2, [1] 3, [2] 4,
  // [3] 5; a single order scores 1. Ascending.
  // Default: {2, 3, 5, 10}
  std::array<int, 4> frequency_orders = {2, 3, 5, 10};
  // RFM monetary: net revenue at or above [0] scores 2, [1] 3, [2] 4,
  // [3] 5; less scores 1. Ascending.
  // Default: {5000, 20000, 50000, 100000}
  std::array<int64_t, 4> monetary_minor = {5000, 20000, 50000, 100000};
  // Net revenue from which a customer is a VIP (lifecycle stage and the
  // vip_upgrade trigger). Default: 100000 (1000.00 in a 2-decimal currency)
  int64_t vip_net_revenue_minor = 100000;
  // Time since the last order from which the stage is at_risk.
  // Default: 90 days
  absl::Duration at_risk_after = absl::Hours(24 * 90);
  // Time since the last order from which the stage is lapsed.
  // Default: 180 days
  absl::Duration lapsed_after = absl::Hours(24 * 180);
  // Churn risk from which the stage is at_risk. Default: 0.7
  double at_risk_churn_risk = 0.7;
  // Usual interval assumed for a customer with a single order.
  // Default: 30 days
  absl::Duration single_order_interval = absl::Hours(24 * 30);
  // Floor of the usual interval, so a burst of same-day orders does not
  // make every quiet week look like churn. Default: 7 days
  absl::Duration min_order_interval = absl::Hours(24 * 7);
  // Horizon of the predicted lifetime value. Default: 365 days
  absl::Duration ltv_horizon = absl::Hours(24 * 365);
  // Floor of the tenure the revenue rate is measured over, so one recent
  // order is not extrapolated as a monthly habit. Default: 180 days
  absl::Duration ltv_min_tenure = absl::Hours(24 * 180);

  // InvalidArgument naming the field when a value is out of range.
  absl::Status Validate() const;
};

// The usual time between the customer's orders (see the banner), in
// microseconds; 0 before the first order.
Micros UsualOrderInterval(const TraitsConfig& config,
                          const custhub::v1::CustomerState& state);

// Churn risk 0..1 as of `as_of`; 0 before the first order.
double ChurnRisk(const TraitsConfig& config,
                 const custhub::v1::CustomerState& state, Micros as_of);

// The first time at which ChurnRisk reaches `threshold` (0 < threshold < 1)
// if no further order arrives; nullopt before the first order.
std::optional<Micros> ChurnCrossing(const TraitsConfig& config,
                                    const custhub::v1::CustomerState& state,
                                    double threshold);

// Net revenue (gross - refunded) in minor units, without relying on
// Finalize having run.
int64_t NetRevenueMinor(const custhub::v1::CustomerState& state);

// Fills state->profile.traits as of `as_of`. Pass the customer's newest
// event time, max(state.last_event_micros(), event time) (refunds do not
// go through ApplyIdentity), so a late event never moves the traits back
// in time. Reads the aggregates only;
// return rate stays where Finalize puts it (profile.returns.return_rate).
void ComputeTraits(const TraitsConfig& config, Micros as_of,
                   custhub::v1::CustomerState* state);

}  // namespace custhub::profile
