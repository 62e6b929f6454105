#include "src/rules/config.h"

#include <utility>

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
