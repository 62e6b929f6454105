// Thresholds of the trigger rules, the trigger kinds, and which kinds are
// marketing (suppressible) rather than service triggers.
//
//   rules::RulesConfig config;                  // every default below
//   config.frequency_cap = absl::Hours(48);     // from custhub.yaml
//   CUSTHUB_RETURN_IF_ERROR(config.Validate());  // once, at start-up
//
// Durations are event time. Money is in minor units of the shop currency.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "src/profile/traits.h"

namespace custhub::rules {

// Trigger kinds, exactly as published in custhub.v1.Trigger.kind.
inline constexpr absl::string_view kFirstPurchase = "first_purchase";
inline constexpr absl::string_view kAbandonedCart = "abandoned_cart";
inline constexpr absl::string_view kPostPurchaseReview = "post_purchase_review";
inline constexpr absl::string_view kWinBack = "win_back";
inline constexpr absl::string_view kVipUpgrade = "vip_upgrade";
inline constexpr absl::string_view kChurnRisk = "churn_risk";
inline constexpr absl::string_view kSupportEscalation = "support_escalation";
inline constexpr absl::string_view kDeliverabilityAlert =
    "deliverability_alert";

// Values of custhub.v1.Trigger.suppressed_by, in the order they are checked
// (the first that applies is reported).
inline constexpr absl::string_view kSuppressedSpamComplaint = "spam_complaint";
inline constexpr absl::string_view kSuppressedBounced = "bounced";
inline constexpr absl::string_view kSuppressedUnsubscribed = "unsubscribed";
inline constexpr absl::string_view kSuppressedOpenTicket = "open_ticket";
inline constexpr absl::string_view kSuppressedRecentRefund = "recent_refund";
inline constexpr absl::string_view kSuppressedFrequencyCap = "frequency_cap";

// Marketing triggers are suppressible; support_escalation and
// deliverability_alert are service triggers and never suppressed.
bool IsMarketing(absl::string_view kind);

// Plain options: copy freely, validate once at start-up.
struct RulesConfig {
  // Computed traits; also the churn-risk formula and the VIP threshold
  // (traits.vip_net_revenue_minor, Default: 100000) the rules use, so the
  // lifecycle stage and the triggers agree. Pass this same struct to
  // profile::ComputeTraits. Default: profile::TraitsConfig{}
  profile::TraitsConfig traits;

  // Stream time = the largest event time seen minus this; timers fire once
  // stream time passes their due time, so an event up to this late can
  // still cancel a timer. Default: 5 minutes
  absl::Duration allowed_lateness = absl::Minutes(5);

  // abandoned_cart: a checkout still open this long after it opened.
  // Default: 1 hour
  absl::Duration abandoned_cart_delay = absl::Hours(1);

  // post_purchase_review: this long after the order was fulfilled.
  // Default: 7 days
  absl::Duration review_delay = absl::Hours(24 * 7);

  // win_back: this long after the last order with no newer order.
  // Default: 90 days
  absl::Duration win_back_after = absl::Hours(24 * 90);

  // churn_risk: fires when the churn risk crosses this upward (once per
  // silence after an order). In (0, 1). Default: 0.7
  double churn_risk_threshold = 0.7;

  // support_escalation: this many tickets created within
  // `escalation_window`. 1..16. Default: 3
  int escalation_tickets = 3;
  // Default: 14 days
  absl::Duration escalation_window = absl::Hours(24 * 14);
  // support_escalation also on a `bad` satisfaction rating. Default: true
  bool escalate_bad_rating = true;

  // Marketing triggers are suppressed (recent_refund) for this long after a
  // refund or return. Zero disables. Default: 14 days
  absl::Duration refund_suppression = absl::Hours(24 * 14);

  // At most one unsuppressed marketing trigger per customer within this
  // much event time; the others are suppressed (frequency_cap). Zero
  // disables. Default: 24 hours
  absl::Duration frequency_cap = absl::Hours(24);

  // InvalidArgument naming the field when a value is out of range.
  absl::Status Validate() const;
};

}  // namespace custhub::rules

namespace custhub::rules {

// Builds the config from the YAML `rules:` section as dotted keys
// ("rules.review_delay" -> "168h"). Durations take absl::ParseDuration
// syntax ("90m", "168h"); unknown keys and bad values are InvalidArgument
// naming the key. Missing keys keep their defaults.
absl::StatusOr<RulesConfig> RulesConfigFromMap(
    const std::map<std::string, std::string>& entries);

}  // namespace custhub::rules
