#include "src/rules/config.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace custhub::rules {

bool IsMarketing(absl::string_view kind) {
  return kind == kFirstPurchase || kind == kAbandonedCart ||
         kind == kPostPurchaseReview || kind == kWinBack ||
         kind == kVipUpgrade || kind == kChurnRisk;
}

absl::Status RulesConfig::Validate() const {
  if (absl::Status s = traits.Validate(); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("traits.", s.message()));
  }
  if (allowed_lateness < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("allowed_lateness: must be >= 0");
  }
  for (const auto& [d, field] :
       {std::pair{abandoned_cart_delay, "abandoned_cart_delay"},
        std::pair{review_delay, "review_delay"},
        std::pair{win_back_after, "win_back_after"},
        std::pair{escalation_window, "escalation_window"}}) {
    if (d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": must be > 0"));
    }
  }
  if (refund_suppression < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("refund_suppression: must be >= 0");
  }
  if (frequency_cap < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("frequency_cap: must be >= 0");
  }
  if (!(churn_risk_threshold > 0.0 && churn_risk_threshold < 1.0)) {
    return absl::InvalidArgumentError(
        "churn_risk_threshold: must be in (0, 1)");
  }
  if (escalation_tickets < 1 || escalation_tickets > 16) {
    return absl::InvalidArgumentError("escalation_tickets: must be in 1..16");
  }
  return absl::OkStatus();
}

}  // namespace custhub::rules

namespace custhub::rules {
namespace {

absl::Status Bad(const std::string& key, const std::string& value,
                 absl::string_view want) {
  return absl::InvalidArgumentError(
      absl::StrCat("--config: ", key, ": '", value, "' is not ", want));
}

}  // namespace

absl::StatusOr<RulesConfig> RulesConfigFromMap(
    const std::map<std::string, std::string>& entries) {
  RulesConfig c;
  auto& t = c.traits;
  const std::map<std::string, absl::Duration*> durations = {
      {"rules.allowed_lateness", &c.allowed_lateness},
      {"rules.abandoned_cart_delay", &c.abandoned_cart_delay},
      {"rules.review_delay", &c.review_delay},
      {"rules.win_back_after", &c.win_back_after},
      {"rules.escalation_window", &c.escalation_window},
      {"rules.refund_suppression", &c.refund_suppression},
      {"rules.frequency_cap", &c.frequency_cap},
      {"rules.traits.at_risk_after", &t.at_risk_after},
      {"rules.traits.lapsed_after", &t.lapsed_after},
      {"rules.traits.single_order_interval", &t.single_order_interval},
      {"rules.traits.min_order_interval", &t.min_order_interval},
      {"rules.traits.ltv_horizon", &t.ltv_horizon},
      {"rules.traits.ltv_min_tenure", &t.ltv_min_tenure}};
  const std::map<std::string, double*> doubles = {
      {"rules.churn_risk_threshold", &c.churn_risk_threshold},
      {"rules.traits.at_risk_churn_risk", &t.at_risk_churn_risk}};
  for (const auto& [key, value] : entries) {
    if (auto it = durations.find(key); it != durations.end()) {
      if (!absl::ParseDuration(value, it->second)) {
        return Bad(key, value, "a duration like 90m or 168h");
      }
    } else if (auto d = doubles.find(key); d != doubles.end()) {
      if (!absl::SimpleAtod(value, d->second))
        return Bad(key, value, "a number");
    } else if (key == "rules.escalation_tickets") {
      if (!absl::SimpleAtoi(value, &c.escalation_tickets)) {
        return Bad(key, value, "an integer");
      }
    } else if (key == "rules.escalate_bad_rating") {
      if (!absl::SimpleAtob(value, &c.escalate_bad_rating)) {
        return Bad(key, value, "true or false");
      }
    } else if (key == "rules.traits.vip_net_revenue_minor") {
      if (!absl::SimpleAtoi(value, &t.vip_net_revenue_minor)) {
        return Bad(key, value, "an amount in minor units");
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--config: unknown key '", key, "'"));
    }
  }
  if (auto s = c.Validate(); !s.ok()) return s;
  return c;
}

}  // namespace custhub::rules
