#include "src/profile/traits.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"

namespace custhub::profile {
namespace {

namespace v1 = custhub::v1;

Micros ToMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * kMicrosPerSecond + t.nanos() / 1000;
}

Micros AsMicros(absl::Duration d) { return absl::ToInt64Microseconds(d); }

template <typename T, size_t N>
absl::Status CheckAscending(const std::array<T, N>& cuts,
                            absl::string_view field) {
  for (size_t i = 0; i < N; ++i) {
    if (cuts[i] < 0 || (i > 0 && cuts[i] <= cuts[i - 1])) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": cut-offs must be non-negative and strictly ascending"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPositive(absl::Duration d, absl::string_view field) {
  if (d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be > 0"));
  }
  return absl::OkStatus();
}

// 5 for a value at or below the first cut-off, down to 1 above the last.
template <typename T, size_t N>
int ScoreAtOrBelow(T value, const std::array<T, N>& cuts) {
  for (size_t i = 0; i < N; ++i) {
    if (value <= cuts[i]) return static_cast<int>(N + 1 - i);
  }
  return 1;
}

// 1 below the first cut-off, up to 5 at or above the last.
template <typename T, size_t N>
int ScoreAtOrAbove(T value, const std::array<T, N>& cuts) {
  int score = 1;
  for (size_t i = 0; i < N; ++i) {
    if (value >= cuts[i]) score = static_cast<int>(i + 2);
  }
  return score;
}

bool HasOrders(const v1::CustomerState& s) {
  return s.profile().orders().count() > 0;
}

Micros LastOrder(const v1::CustomerState& s) {
  return ToMicros(s.profile().orders().last_order_at());
}

Micros FirstOrder(const v1::CustomerState& s) {
  return ToMicros(s.profile().orders().first_order_at());
}

// Four decimals are plenty for a score and keep the JSON readable.
double Round4(double x) { return std::round(x * 1e4) / 1e4; }

}  // namespace

absl::Status TraitsConfig::Validate() const {
  if (absl::Status s = CheckAscending(recency_days, "recency_days"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckAscending(frequency_orders, "frequency_orders");
      !s.ok()) {
    return s;
  }
  if (frequency_orders[0] < 2) {
    return absl::InvalidArgumentError(
        "frequency_orders: the first cut-off must be at least 2 orders");
  }
  if (absl::Status s = CheckAscending(monetary_minor, "monetary_minor");
      !s.ok()) {
    return s;
  }
  if (vip_net_revenue_minor <= 0) {
    return absl::InvalidArgumentError("vip_net_revenue_minor: must be > 0");
  }
  for (const auto& [d, field] :
       {std::pair{at_risk_after, "at_risk_after"},
        std::pair{lapsed_after, "lapsed_after"},
        std::pair{single_order_interval, "single_order_interval"},
        std::pair{min_order_interval, "min_order_interval"},
        std::pair{ltv_horizon, "ltv_horizon"},
        std::pair{ltv_min_tenure, "ltv_min_tenure"}}) {
    if (absl::Status s = CheckPositive(d, field); !s.ok()) return s;
  }
  if (lapsed_after <= at_risk_after) {
    return absl::InvalidArgumentError(
        "lapsed_after: must be longer than at_risk_after");
  }
  if (!(at_risk_churn_risk > 0.0 && at_risk_churn_risk <= 1.0)) {
    return absl::InvalidArgumentError("at_risk_churn_risk: must be in (0, 1]");
  }
  return absl::OkStatus();
}

int64_t NetRevenueMinor(const v1::CustomerState& state) {
  const auto& o = state.profile().orders();
  return o.gross_revenue().minor() - o.refunded().minor();
}

Micros UsualOrderInterval(const TraitsConfig& config,
                          const v1::CustomerState& state) {
  if (!HasOrders(state)) return 0;
  int n = state.profile().orders().count();
  if (n < 2) return AsMicros(config.single_order_interval);
  Micros span = std::max<Micros>(0, LastOrder(state) - FirstOrder(state));
  return std::max(span / (n - 1), AsMicros(config.min_order_interval));
}

double ChurnRisk(const TraitsConfig& config, const v1::CustomerState& state,
                 Micros as_of) {
  if (!HasOrders(state)) return 0.0;
  Micros interval = UsualOrderInterval(config, state);
  Micros since = std::max<Micros>(0, as_of - LastOrder(state));
  return 1.0 -
         std::exp2(-static_cast<double>(since) / static_cast<double>(interval));
}

std::optional<Micros> ChurnCrossing(const TraitsConfig& config,
                                    const v1::CustomerState& state,
                                    double threshold) {
  if (!HasOrders(state) || !(threshold > 0.0 && threshold < 1.0)) {
    return std::nullopt;
  }
  Micros interval = UsualOrderInterval(config, state);
  double after = static_cast<double>(interval) * -std::log2(1.0 - threshold);
  Micros at = LastOrder(state) + static_cast<Micros>(std::ceil(after));
  // Rounding may leave the score a hair below the threshold at `at`: step
  // forward until it is reached, so the timer and the score agree.
  while (ChurnRisk(config, state, at) < threshold) ++at;
  return at;
}

void ComputeTraits(const TraitsConfig& config, Micros as_of,
                   v1::CustomerState* state) {
  auto* traits = state->mutable_profile()->mutable_traits();
  const auto& orders = state->profile().orders();
  const std::string& currency = orders.gross_revenue().currency();
  traits->mutable_predicted_ltv()->set_currency(currency);
  if (!HasOrders(*state)) {
    traits->set_recency(0);
    traits->set_frequency(0);
    traits->set_monetary(0);
    traits->set_lifecycle_stage("new");
    traits->set_churn_risk(0.0);
    traits->mutable_predicted_ltv()->set_minor(0);
    return;
  }
  Micros since = std::max<Micros>(0, as_of - LastOrder(*state));
  int days = static_cast<int>(since / kMicrosPerDay);
  int64_t net = NetRevenueMinor(*state);
  double risk = ChurnRisk(config, *state, as_of);

  traits->set_recency(ScoreAtOrBelow(days, config.recency_days));
  traits->set_frequency(
      ScoreAtOrAbove(orders.count(), config.frequency_orders));
  traits->set_monetary(ScoreAtOrAbove(net, config.monetary_minor));

  std::string stage;
  if (since >= AsMicros(config.lapsed_after)) {
    stage = "lapsed";
  } else if (since >= AsMicros(config.at_risk_after) ||
             risk >= config.at_risk_churn_risk) {
    stage = "at_risk";
  } else if (net >= config.vip_net_revenue_minor) {
    stage = "vip";
  } else if (orders.count() == 1) {
    stage = "new";
  } else {
    stage = "active";
  }
  traits->set_lifecycle_stage(stage);
  traits->set_churn_risk(Round4(risk));

  Micros tenure =
      std::max(as_of - FirstOrder(*state), AsMicros(config.ltv_min_tenure));
  double future = static_cast<double>(std::max<int64_t>(net, 0)) *
                  (static_cast<double>(AsMicros(config.ltv_horizon)) /
                   static_cast<double>(tenure)) *
                  (1.0 - risk);
  traits->mutable_predicted_ltv()->set_minor(std::max<int64_t>(net, 0) +
                                             std::llround(future));
}

}  // namespace custhub::profile
