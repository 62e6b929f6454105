// Trigger rules on event time: what one folded event fires, which timers it
// schedules or cancels, what a due timer fires, and marketing suppression.
// Pure and deterministic: no I/O, no wall clock; the same events in the
// same order give the same triggers with the same idempotency keys, also
// across restarts (all memory is in CustomerState.rules).
//
// Per event of a customer, the runtime does (see src/rules/README.md):
//
//   Micros stream = rules::StreamTime(config, max_event_time_seen);
//   auto out = rules::FireDue(config, &state, stream);   // before the fold
//   rules::Before before = rules::BeforeView(state);
//   ... profile folds, ApplyIdentity, Finalize ...
//   profile::ComputeTraits(config.traits,
//                          std::max(state.last_event_micros(), at), &state);
//   Append(out, rules::Evaluate(config, before, &state, event, at));
//   Append(out, rules::FireDue(config, &state, stream));  // already-due timers
//   index the customer under rules::NextDue(state)
//
// and, whenever stream time advances, FireDue for every customer whose
// NextDue <= stream time. Thread-safety: free functions on caller-owned
// state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "custhub/v1/event.pb.h"
#include "custhub/v1/state.pb.h"
#include "custhub/v1/trigger.pb.h"
#include "src/common/time.h"
#include "src/profile/record.h"
#include "src/rules/config.h"

namespace custhub::rules {

// Largest event time seen minus the allowed lateness.
Micros StreamTime(const RulesConfig& config, Micros max_event_time);

// The part of a customer's state Evaluate reads from the state before the
// fold, as plain fields: folds take it per event, and copying the messages
// allocated each sub-message (~2% of the poll thread).
struct Before {
  profile::CustomerRecord::Orders orders;  // profile.orders
  bool checkout_open = false;              // profile.checkout
  std::string checkout_token;
  Micros checkout_since = 0;
  int32_t returns_count = 0;  // profile.returns.count
  int32_t total_tickets = 0;  // profile.support.total_tickets
};
Before BeforeView(const custhub::v1::CustomerState& state);

// Triggers of one event, called after the event was folded into `after`
// (with Finalize and ComputeTraits done); `before` is BeforeView of the
// customer's state before the fold. Updates after->rules (once-flags,
// suppression clocks, timers scheduled and cancelled) and returns the triggers
// in a fixed kind order, suppressed ones included with suppressed_by set.
// `event_time` is the event's occurred_at. Marketing suppression is as of
// `event_time`.
//
// Timers: a checkout that opens schedules abandoned_cart (since + delay); a
// newly fulfilled order schedules post_purchase_review (+ review_delay); a
// newer last order schedules win_back (last order + win_back_after) and
// re-arms churn_risk (ChurnCrossing). An event cancels a pending timer only
// if it happened before the timer was due: the order that closes the
// checkout, a refund or cancellation of the reviewed order or a new ticket
// (review), a newer order (win_back, churn_risk).
std::vector<custhub::v1::Trigger> Evaluate(const RulesConfig& config,
                                           const Before& before,
                                           custhub::v1::CustomerState* after,
                                           const custhub::v1::Event& event,
                                           Micros event_time);

// Fires every pending timer with due <= stream_time, oldest first, removes
// it from state->rules and returns its trigger: fired_at is the due time,
// marketing suppression is as of the due time.
std::vector<custhub::v1::Trigger> FireDue(const RulesConfig& config,
                                          custhub::v1::CustomerState* state,
                                          Micros stream_time);

// The earliest pending timer's due time, or nullopt when none is pending.
std::optional<Micros> NextDue(const custhub::v1::CustomerState& state);
// The same, from a rules record alone (the timer index's build at start).
std::optional<Micros> NextDue(const custhub::v1::RulesState& rules);

// Why a marketing trigger at `at` is suppressed, or empty when it may go
// out: consent (spam_complaint, bounced, unsubscribed) and open tickets as
// the state holds them now; recent_refund when a refund or return happened
// within config.refund_suppression before `at`; frequency_cap when an
// unsuppressed marketing trigger went out within config.frequency_cap of
// `at`.
std::string MarketingSuppression(const RulesConfig& config,
                                 const custhub::v1::CustomerState& state,
                                 Micros at);

// 32 hex digits from the customer id, the kind and the id of the event
// ("source:event_id") or timer (its anchor event id) that caused it.
std::string IdempotencyKey(absl::string_view customer_id,
                           absl::string_view kind, absl::string_view cause);

// "source:event_id": how rules name an event.
std::string EventRef(const custhub::v1::Event& event);

}  // namespace custhub::rules
