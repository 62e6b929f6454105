#include "src/rules/rules.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/common/money.h"
#include "src/profile/timestamp.h"
#include "src/profile/traits.h"

namespace custhub::rules {
namespace {

namespace v1 = custhub::v1;
using google::protobuf::Timestamp;
using profile::IsSet;
using profile::SetTime;
using profile::ToMicros;

// Bounds of the lists in RulesState.
constexpr int kMaxTickets = 16;
constexpr int kMaxBadRated = 32;
constexpr int kMaxReviewed = 64;

Micros AsMicros(absl::Duration d) { return absl::ToInt64Microseconds(d); }

Micros LastOrder(const v1::CustomerState& s) {
  const auto& t = s.profile().orders().last_order_at();
  return IsSet(t) ? ToMicros(t) : 0;
}

std::string Days(Micros d) {
  return absl::StrFormat("%.1f days", static_cast<double>(d) / kMicrosPerDay);
}

std::string OrderRef(absl::string_view source, absl::string_view order_id) {
  return absl::StrCat(source, ":", order_id);
}

// When what the event reports happened: an order's or refund's creation
// time, a ticket's creation time, otherwise the event time.
Micros CauseTime(const v1::Event& event, Micros event_time) {
  const std::string* text = nullptr;
  switch (event.payload_case()) {
    case v1::Event::kOrder:
      text = &event.order().created_at();
      break;
    case v1::Event::kRefund:
      text = &event.refund().created_at();
      break;
    case v1::Event::kTicket:
      text = &event.ticket().created_at();
      break;
    default:
      return event_time;
  }
  if (text->empty()) return event_time;
  absl::StatusOr<Micros> parsed = ParseRfc3339(*text);
  return parsed.ok() ? *parsed : event_time;
}

void SortTimers(v1::RulesState* r) {
  std::sort(r->mutable_timers()->begin(), r->mutable_timers()->end(),
            [](const v1::RuleTimer& a, const v1::RuleTimer& b) {
              return std::forward_as_tuple(a.due_micros(), a.kind(),
                                           a.anchor_event_id(), a.ref()) <
                     std::forward_as_tuple(b.due_micros(), b.kind(),
                                           b.anchor_event_id(), b.ref());
            });
}

void AddTimer(v1::RulesState* r, absl::string_view kind, Micros due,
              const std::string& anchor, Micros anchor_at,
              const std::string& ref) {
  v1::RuleTimer* t = r->add_timers();
  t->set_kind(std::string(kind));
  t->set_due_micros(due);
  t->set_anchor_event_id(anchor);
  t->set_anchor_micros(anchor_at);
  t->set_ref(ref);
  SortTimers(r);
}

// Removes the timers `drop` selects (asked once per timer, in order),
// keeping the others in order. In place: kept timers move up by pointer
// swaps, so nothing is copied or allocated.
template <typename Pred>
void RemoveTimers(v1::RulesState* r, Pred drop) {
  auto* timers = r->mutable_timers();
  int kept = 0;
  for (int i = 0; i < timers->size(); ++i) {
    if (drop(timers->Get(i))) continue;
    if (kept != i) timers->SwapElements(kept, i);
    ++kept;
  }
  timers->DeleteSubrange(kept, timers->size() - kept);
}

bool SameTime(const profile::Time& a, bool has_b, const Timestamp& b) {
  return a.set == has_b && a.seconds == b.seconds() && a.nanos == b.nanos();
}

bool SameMoney(const profile::Amount& a, bool has_b, const v1::Money& b) {
  return a.set == has_b && a.minor == b.minor() && a.currency == b.currency();
}

// Whether the fold changed the order stats, field by field (what comparing
// their serialized bytes said, without serializing twice per event). A new
// field of OrderStats, Money or Timestamp must be added here; a test in
// tests/unit/rules counts their fields.
bool SameOrderStats(const profile::CustomerRecord::Orders& a,
                    const v1::OrderStats& b) {
  return a.count == b.count() && a.cancelled_count == b.cancelled_count() &&
         a.open_count == b.open_count() && a.items_bought == b.items_bought() &&
         SameTime(a.first_order_at, b.has_first_order_at(),
                  b.first_order_at()) &&
         SameTime(a.last_order_at, b.has_last_order_at(), b.last_order_at()) &&
         SameMoney(a.gross_revenue, b.has_gross_revenue(), b.gross_revenue()) &&
         SameMoney(a.refunded, b.has_refunded(), b.refunded()) &&
         SameMoney(a.net_revenue, b.has_net_revenue(), b.net_revenue()) &&
         SameMoney(a.average_order_value, b.has_average_order_value(),
                   b.average_order_value());
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list,
              const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// Appends and drops the oldest entries beyond `max`.
void AppendBounded(google::protobuf::RepeatedPtrField<std::string>* list,
                   std::string value, int max) {
  list->Add(std::move(value));
  if (list->size() > max) list->DeleteSubrange(0, list->size() - max);
}

// Builds triggers for one customer and applies marketing suppression.
class Emitter {
 public:
  Emitter(const RulesConfig& config, v1::CustomerState* state,
          std::vector<v1::Trigger>* out)
      : config_(config), state_(state), out_(out) {}

  void Emit(absl::string_view kind, Micros at, absl::string_view cause,
            std::string reason) {
    v1::Trigger t;
    t.set_customer_id(state_->profile().customer_id());
    t.set_kind(std::string(kind));
    SetTime(t.mutable_fired_at(), at);
    t.set_idempotency_key(
        IdempotencyKey(state_->profile().customer_id(), kind, cause));
    t.set_reason(std::move(reason));
    if (IsMarketing(kind)) {
      std::string why = MarketingSuppression(config_, *state_, at);
      if (why.empty()) {
        auto* r = state_->mutable_rules();
        r->set_last_marketing_micros(std::max(r->last_marketing_micros(), at));
      } else {
        t.set_suppressed_by(std::move(why));
      }
    }
    out_->push_back(std::move(t));
  }

 private:
  const RulesConfig& config_;
  v1::CustomerState* state_;
  std::vector<v1::Trigger>* out_;
};

// What one event changed, as the rules see it.
struct Change {
  const Before& before;
  const v1::CustomerState& after;
  const v1::Event& event;
  Micros event_time;
  Micros cause;  // CauseTime of the event
  bool orders_changed = false;
  bool refund_applied = false;  // refunded money or returns went up
  bool new_ticket = false;
  // EventRef of the event, made when a trigger or timer first needs it
  // (most events need none).
  const std::string& ref() const {
    if (!ref_) ref_ = EventRef(event);
    return *ref_;
  }
  mutable std::optional<std::string> ref_;
};

void RememberRefundAndTicket(const Change& c, v1::RulesState* r) {
  if (c.refund_applied) {
    // A refund held for its order is applied by the order's event: that is
    // when the hub learns of it.
    Micros at = c.event.has_refund() ? c.cause : c.event_time;
    r->set_last_refund_micros(std::max(r->last_refund_micros(), at));
  }
  if (c.new_ticket) {
    auto* times = r->mutable_ticket_created_micros();
    times->Add(c.cause);
    std::sort(times->begin(), times->end());
    if (times->size() > kMaxTickets) {
      times->erase(times->begin(),
                   times->begin() + (times->size() - kMaxTickets));
    }
  }
}

// Cancels the timers this event invalidates. A timer already due when the
// event happened is kept: its condition held at its due time.
void CancelInvalidated(const Change& c, v1::RulesState* r) {
  const Before& was = c.before;
  const auto& now = c.after.profile().checkout();
  RemoveTimers(r, [&](const v1::RuleTimer& t) {
    if (t.due_micros() <= c.cause) return false;
    if (t.kind() == kAbandonedCart) {
      bool was_open = was.checkout_open && was.checkout_token == t.ref();
      bool still_open = now.open() && now.checkout_token() == t.ref();
      return was_open && !still_open;
    }
    if (t.kind() == kPostPurchaseReview) {
      if (c.refund_applied && c.event.has_refund() &&
          OrderRef(c.event.source(), c.event.refund().order_id()) == t.ref()) {
        return true;
      }
      if (c.orders_changed && c.event.has_order() &&
          (c.event.order().cancelled() || c.event.order().deleted()) &&
          OrderRef(c.event.source(), c.event.order().order_id()) == t.ref()) {
        return true;
      }
      return c.new_ticket && c.cause >= t.anchor_micros();
    }
    return false;
  });
}

void EventTriggers(const RulesConfig& config, const Change& c, Emitter* emit,
                   v1::RulesState* r) {
  const auto& after = c.after.profile();
  if (!r->first_purchase_fired() && c.before.orders.count == 0 &&
      after.orders().count() > 0) {
    r->set_first_purchase_fired(true);
    std::string what = c.event.has_order()
                           ? absl::StrCat(" ", c.event.order().order_id())
                           : "";
    emit->Emit(kFirstPurchase, c.event_time, c.ref(),
               absl::StrCat("first order", what, " placed"));
  }

  int64_t vip = config.traits.vip_net_revenue_minor;
  int64_t net_after = profile::NetRevenueMinor(c.after);
  int64_t net_before =
      c.before.orders.gross_revenue.minor - c.before.orders.refunded.minor;
  if (!r->vip_fired() && net_before < vip && net_after >= vip) {
    r->set_vip_fired(true);
    std::string currency = after.orders().gross_revenue().currency();
    emit->Emit(kVipUpgrade, c.event_time, c.ref(),
               absl::StrCat("net revenue ", FormatMoney({net_after, currency}),
                            " reached the VIP threshold ",
                            FormatMoney({vip, currency})));
  }

  std::vector<std::string> escalation;
  if (c.new_ticket) {
    Micros window = AsMicros(config.escalation_window);
    int recent = 0;
    for (Micros at : r->ticket_created_micros()) {
      if (at > c.cause - window && at <= c.cause) ++recent;
    }
    bool quiet = r->last_escalation_micros() == 0 ||
                 std::llabs(c.cause - r->last_escalation_micros()) >= window;
    if (recent >= config.escalation_tickets && quiet) {
      r->set_last_escalation_micros(c.cause);
      escalation.push_back(
          absl::StrCat(recent, " tickets created within ", Days(window)));
    }
  }
  if (config.escalate_bad_rating && c.event.has_ticket() &&
      c.event.ticket().satisfaction() == "bad") {
    std::string ticket =
        absl::StrCat(c.event.source(), ":", c.event.ticket().ticket_id());
    if (!Contains(r->bad_rated_tickets(), ticket)) {
      AppendBounded(r->mutable_bad_rated_tickets(), ticket, kMaxBadRated);
      escalation.push_back(absl::StrCat("ticket ", ticket, " rated bad"));
    }
  }
  // One trigger per event and kind: the key names the event.
  if (!escalation.empty()) {
    emit->Emit(kSupportEscalation, c.event_time, c.ref(),
               absl::StrJoin(escalation, "; "));
  }

  if (c.event.has_email()) {
    const auto& email = c.event.email();
    absl::string_view what;
    if (email.kind() == v1::EmailEngagement::BOUNCED) what = "email bounced";
    if (email.kind() == v1::EmailEngagement::SPAM_COMPLAINT) {
      what = "spam complaint";
    }
    if (!what.empty()) {
      std::string detail =
          email.message_id().empty()
              ? ""
              : absl::StrCat(" (message ", email.message_id(), ")");
      emit->Emit(kDeliverabilityAlert, c.event_time, c.ref(),
                 absl::StrCat(what, detail));
    }
  }
}

void ScheduleTimers(const RulesConfig& config, const Change& c,
                    v1::RulesState* r) {
  const Before& was = c.before;
  const auto& now = c.after.profile().checkout();
  if (now.open() &&
      !(was.checkout_open && was.checkout_token == now.checkout_token() &&
        was.checkout_since == ToMicros(now.since()))) {
    RemoveTimers(r, [&](const v1::RuleTimer& t) {
      return t.kind() == kAbandonedCart && t.ref() == now.checkout_token();
    });
    AddTimer(r, kAbandonedCart,
             ToMicros(now.since()) + AsMicros(config.abandoned_cart_delay),
             c.ref(), c.event_time, now.checkout_token());
  }

  if (c.event.has_order() && c.orders_changed) {
    const auto& order = c.event.order();
    std::string ref = OrderRef(c.event.source(), order.order_id());
    if (order.fulfilled() && !order.cancelled() && !order.deleted() &&
        !Contains(r->reviewed_orders(), ref)) {
      AppendBounded(r->mutable_reviewed_orders(), ref, kMaxReviewed);
      AddTimer(r, kPostPurchaseReview,
               c.event_time + AsMicros(config.review_delay), c.ref(),
               c.event_time, ref);
    }
  }

  Micros last = LastOrder(c.after);
  bool has_orders = c.after.profile().orders().count() > 0;
  const profile::Time& was_last = c.before.orders.last_order_at;
  Micros last_before =
      was_last.seconds != 0 || was_last.nanos != 0
          ? was_last.seconds * kMicrosPerSecond + was_last.nanos / 1000
          : 0;
  if (has_orders && last > last_before) {
    // A newer order moves win_back; one already due before it still fires.
    RemoveTimers(r, [&](const v1::RuleTimer& t) {
      return t.kind() == kWinBack && t.due_micros() > last;
    });
    AddTimer(r, kWinBack, last + AsMicros(config.win_back_after), c.ref(),
             c.event_time, "");
  }

  if (!has_orders) {
    RemoveTimers(r, [&](const v1::RuleTimer& t) {
      return t.kind() == kChurnRisk && t.due_micros() > c.event_time;
    });
    return;
  }
  std::optional<Micros> crossing = profile::ChurnCrossing(
      config.traits, c.after, config.churn_risk_threshold);
  if (!crossing.has_value()) return;
  if (last != r->churn_armed_last_order_micros()) {
    RemoveTimers(r, [&](const v1::RuleTimer& t) {
      return t.kind() == kChurnRisk && t.due_micros() > last;
    });
    AddTimer(r, kChurnRisk, *crossing, c.ref(), c.event_time, "");
    r->set_churn_armed_last_order_micros(last);
    return;
  }
  // Same silence, but a late older order may have changed the usual
  // interval: move the pending crossing, keeping its anchor (and key).
  bool moved = false;
  for (auto& t : *r->mutable_timers()) {
    if (t.kind() == kChurnRisk && t.due_micros() > last &&
        t.due_micros() != *crossing) {
      t.set_due_micros(*crossing);
      moved = true;
    }
  }
  if (moved) SortTimers(r);
}

std::string TimerReason(const RulesConfig& config,
                        const v1::CustomerState& state,
                        const v1::RuleTimer& t) {
  if (t.kind() == kAbandonedCart) {
    const auto& co = state.profile().checkout();
    Micros since = t.due_micros() - AsMicros(config.abandoned_cart_delay);
    std::string value =
        co.checkout_token() == t.ref() && co.value().minor() > 0
            ? absl::StrCat(" worth ", FormatMoney({co.value().minor(),
                                                   co.value().currency()}))
            : "";
    return absl::StrCat("checkout ", t.ref(), value, " opened at ",
                        FormatRfc3339(since), " has no order after ",
                        absl::FormatDuration(config.abandoned_cart_delay));
  }
  if (t.kind() == kPostPurchaseReview) {
    return absl::StrCat("order ", t.ref(), " fulfilled at ",
                        FormatRfc3339(t.anchor_micros()), ", ",
                        Days(t.due_micros() - t.anchor_micros()), " ago");
  }
  if (t.kind() == kWinBack) {
    Micros last = t.due_micros() - AsMicros(config.win_back_after);
    return absl::StrCat("no order since ", FormatRfc3339(last), ", ",
                        Days(t.due_micros() - last));
  }
  // churn_risk: the state's last order is the one the crossing was armed
  // for, unless a newer order arrived while this timer waited.
  Micros last = LastOrder(state);
  if (last > t.due_micros()) last = t.anchor_micros();
  return absl::StrFormat(
      "churn risk reached %.2f: %s without an order against a usual "
      "interval of %s",
      config.churn_risk_threshold, Days(t.due_micros() - last),
      Days(profile::UsualOrderInterval(config.traits, state)));
}

}  // namespace

std::vector<v1::Trigger> Evaluate(const RulesConfig& config,
                                  const Before& before,
                                  v1::CustomerState* after,
                                  const v1::Event& event, Micros event_time) {
  std::vector<v1::Trigger> out;
  const auto& bo = before.orders;
  const auto& ao = after->profile().orders();
  Change c{before, *after, event, event_time, CauseTime(event, event_time)};
  c.orders_changed = !SameOrderStats(bo, ao);
  c.refund_applied = ao.refunded().minor() > bo.refunded.minor ||
                     after->profile().returns().count() > before.returns_count;
  c.new_ticket =
      after->profile().support().total_tickets() > before.total_tickets;

  v1::RulesState* r = after->mutable_rules();
  RememberRefundAndTicket(c, r);
  CancelInvalidated(c, r);
  Emitter emit(config, after, &out);
  EventTriggers(config, c, &emit, r);
  ScheduleTimers(config, c, r);
  return out;
}

Before BeforeView(const v1::CustomerState& state) {
  // Keep in step with every read of Change::before above.
  Before b;
  const auto& p = state.profile();
  if (p.has_orders()) {
    const auto& o = p.orders();
    auto time = [](bool has, const Timestamp& t, profile::Time* out) {
      *out = {has, t.seconds(), t.nanos()};
    };
    auto money = [](bool has, const v1::Money& m, profile::Amount* out) {
      out->set = has;
      out->minor = m.minor();
      out->currency = m.currency();
    };
    auto& bo = b.orders;
    bo.set = true;
    bo.count = o.count();
    time(o.has_first_order_at(), o.first_order_at(), &bo.first_order_at);
    time(o.has_last_order_at(), o.last_order_at(), &bo.last_order_at);
    money(o.has_gross_revenue(), o.gross_revenue(), &bo.gross_revenue);
    money(o.has_refunded(), o.refunded(), &bo.refunded);
    money(o.has_net_revenue(), o.net_revenue(), &bo.net_revenue);
    money(o.has_average_order_value(), o.average_order_value(),
          &bo.average_order_value);
    bo.cancelled_count = o.cancelled_count();
    bo.open_count = o.open_count();
    bo.items_bought = o.items_bought();
  }
  const auto& checkout = p.checkout();
  b.checkout_open = checkout.open();
  b.checkout_token = checkout.checkout_token();
  b.checkout_since = ToMicros(checkout.since());
  b.returns_count = p.returns().count();
  b.total_tickets = p.support().total_tickets();
  return b;
}

std::vector<v1::Trigger> FireDue(const RulesConfig& config,
                                 v1::CustomerState* state, Micros stream_time) {
  std::vector<v1::Trigger> out;
  v1::RulesState* rules = state->mutable_rules();
  // Most calls find nothing due: look before moving any timer.
  if (std::none_of(rules->timers().begin(), rules->timers().end(),
                   [&](const v1::RuleTimer& t) {
                     return t.due_micros() <= stream_time;
                   })) {
    return out;
  }
  std::vector<v1::RuleTimer> due;
  RemoveTimers(rules, [&](const v1::RuleTimer& t) {
    if (t.due_micros() > stream_time) return false;
    due.push_back(t);
    return true;
  });
  Emitter emit(config, state, &out);
  for (const auto& t : due) {
    emit.Emit(t.kind(), t.due_micros(), t.anchor_event_id(),
              TimerReason(config, *state, t));
  }
  return out;
}

std::optional<Micros> NextDue(const v1::CustomerState& state) {
  return NextDue(state.rules());
}

std::optional<Micros> NextDue(const v1::RulesState& rules) {
  // Timers are kept earliest first.
  if (rules.timers().empty()) return std::nullopt;
  return rules.timers(0).due_micros();
}

}  // namespace custhub::rules
