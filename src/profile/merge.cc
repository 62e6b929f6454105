#include "src/profile/merge.h"

#include <algorithm>
#include <utility>

#include "src/profile/fold.h"
#include "src/profile/timestamp.h"

namespace custhub::profile {
namespace {

namespace v1 = custhub::v1;
using google::protobuf::Timestamp;

bool Before(const Timestamp& a, const Timestamp& b) {
  return std::make_pair(a.seconds(), a.nanos()) <
         std::make_pair(b.seconds(), b.nanos());
}

void MinTime(const Timestamp& other, Timestamp* mine) {
  if (IsSet(other) && (!IsSet(*mine) || Before(other, *mine))) *mine = other;
}

void MaxTime(const Timestamp& other, Timestamp* mine) {
  if (IsSet(other) && (!IsSet(*mine) || Before(*mine, other))) *mine = other;
}

void AddMoney(const v1::Money& other, v1::Money* mine) {
  mine->set_minor(mine->minor() + other.minor());
  if (mine->currency().empty()) mine->set_currency(other.currency());
}

void Union(const google::protobuf::RepeatedPtrField<std::string>& other,
           google::protobuf::RepeatedPtrField<std::string>* mine) {
  for (const auto& v : other) {
    if (std::find(mine->begin(), mine->end(), v) == mine->end()) {
      mine->Add(std::string(v));
    }
  }
  std::sort(mine->begin(), mine->end());
}

}  // namespace

void MergeCustomer(const v1::CustomerState& a, v1::CustomerState* s) {
  const v1::CustomerProfile& ap = a.profile();
  v1::CustomerProfile* sp = s->mutable_profile();

  Union(ap.emails(), sp->mutable_emails());
  Union(ap.phones(), sp->mutable_phones());
  for (const auto& [source, id] : ap.external_ids()) {
    auto& slot = (*sp->mutable_external_ids())[source];
    if (slot.empty() || id < slot) slot = id;
  }
  Union(a.identifier_keys(), s->mutable_identifier_keys());
  if (a.names_at_micros() > s->names_at_micros() ||
      (a.names_at_micros() == s->names_at_micros() &&
       ap.first_name() + '\0' + ap.last_name() >
           sp->first_name() + '\0' + sp->last_name())) {
    sp->set_first_name(ap.first_name());
    sp->set_last_name(ap.last_name());
    s->set_names_at_micros(a.names_at_micros());
  }

  // Orders and returns: each order belongs to exactly one of the two.
  const auto& ao = ap.orders();
  auto* so = sp->mutable_orders();
  so->set_count(so->count() + ao.count());
  so->set_cancelled_count(so->cancelled_count() + ao.cancelled_count());
  so->set_open_count(so->open_count() + ao.open_count());
  so->set_items_bought(so->items_bought() + ao.items_bought());
  AddMoney(ao.gross_revenue(), so->mutable_gross_revenue());
  AddMoney(ao.refunded(), so->mutable_refunded());
  if (IsSet(ao.first_order_at()))
    MinTime(ao.first_order_at(), so->mutable_first_order_at());
  if (IsSet(ao.last_order_at()))
    MaxTime(ao.last_order_at(), so->mutable_last_order_at());
  auto* sr = sp->mutable_returns();
  sr->set_count(sr->count() + ap.returns().count());
  sr->set_items_returned(sr->items_returned() + ap.returns().items_returned());
  if (IsSet(ap.returns().last_return_at()))
    MaxTime(ap.returns().last_return_at(), sr->mutable_last_return_at());

  // Support: each ticket belongs to one of them.
  auto* ss = sp->mutable_support();
  ss->set_open_tickets(ss->open_tickets() + ap.support().open_tickets());
  ss->set_total_tickets(ss->total_tickets() + ap.support().total_tickets());
  if (IsSet(ap.support().last_ticket_at()))
    MaxTime(ap.support().last_ticket_at(), ss->mutable_last_ticket_at());
  if (a.satisfaction_at_micros() > s->satisfaction_at_micros() ||
      (a.satisfaction_at_micros() == s->satisfaction_at_micros() &&
       ap.support().last_satisfaction() == "bad")) {
    if (!ap.support().last_satisfaction().empty()) {
      ss->set_last_satisfaction(ap.support().last_satisfaction());
      s->set_satisfaction_at_micros(a.satisfaction_at_micros());
    }
  }

  // Email: counters add; consent is the most recent state, and at equal
  // times the most restrictive.
  const auto& ae = ap.email();
  auto* se = sp->mutable_email();
  se->set_delivered(se->delivered() + ae.delivered());
  se->set_opens(se->opens() + ae.opens());
  se->set_clicks(se->clicks() + ae.clicks());
  se->set_bounces(se->bounces() + ae.bounces());
  se->set_spam_complaints(se->spam_complaints() + ae.spam_complaints());
  if (IsSet(ae.last_open_at()))
    MaxTime(ae.last_open_at(), se->mutable_last_open_at());
  if (IsSet(ae.last_click_at()))
    MaxTime(ae.last_click_at(), se->mutable_last_click_at());
  if (a.consent_at_micros() > s->consent_at_micros() ||
      (a.consent_at_micros() == s->consent_at_micros() &&
       ConsentRank(ae.consent()) > ConsentRank(se->consent()))) {
    se->set_consent(ae.consent());
    s->set_consent_at_micros(a.consent_at_micros());
  }

  // The checkout updated last is the open one.
  if (a.checkout_updated_micros() > s->checkout_updated_micros()) {
    *sp->mutable_checkout() = ap.checkout();
    s->set_checkout_updated_micros(a.checkout_updated_micros());
  }
  for (const auto& cc : a.closed_checkouts()) {
    bool known = std::any_of(
        s->closed_checkouts().begin(), s->closed_checkouts().end(),
        [&](const auto& mine) { return mine.token() == cc.token(); });
    if (!known) *s->add_closed_checkouts() = cc;
  }
  auto* closed = s->mutable_closed_checkouts();
  std::sort(closed->begin(), closed->end(), [](const auto& x, const auto& y) {
    return std::make_pair(x.at_micros(), x.token()) <
           std::make_pair(y.at_micros(), y.token());
  });
  while (closed->size() > 20) closed->erase(closed->begin());
  // An open checkout that an order of the other customer already closed.
  if (sp->checkout().open()) {
    for (const auto& cc : *closed) {
      if (cc.token() == sp->checkout().checkout_token()) {
        sp->mutable_checkout()->set_open(false);
      }
    }
  }

  // Lifetime.
  if (a.first_seen_micros() != 0 &&
      (s->first_seen_micros() == 0 ||
       a.first_seen_micros() < s->first_seen_micros())) {
    s->set_first_seen_micros(a.first_seen_micros());
    *sp->mutable_first_seen_at() = ap.first_seen_at();
  }
  if (a.last_event_micros() > s->last_event_micros()) {
    s->set_last_event_micros(a.last_event_micros());
    *sp->mutable_last_event_at() = ap.last_event_at();
  }
  sp->set_events_applied(sp->events_applied() + ap.events_applied());

  // Rules: once-flags OR, times max, lists union (sorted), timers union by
  // kind keeping the later due time.
  const auto& ar = a.rules();
  auto* sr2 = s->mutable_rules();
  sr2->set_first_purchase_fired(sr2->first_purchase_fired() ||
                                ar.first_purchase_fired());
  sr2->set_vip_fired(sr2->vip_fired() || ar.vip_fired());
  sr2->set_last_marketing_micros(
      std::max(sr2->last_marketing_micros(), ar.last_marketing_micros()));
  sr2->set_last_refund_micros(
      std::max(sr2->last_refund_micros(), ar.last_refund_micros()));
  sr2->set_last_escalation_micros(
      std::max(sr2->last_escalation_micros(), ar.last_escalation_micros()));
  sr2->set_churn_armed_last_order_micros(
      std::max(sr2->churn_armed_last_order_micros(),
               ar.churn_armed_last_order_micros()));
  for (auto t : ar.ticket_created_micros()) sr2->add_ticket_created_micros(t);
  std::sort(sr2->mutable_ticket_created_micros()->begin(),
            sr2->mutable_ticket_created_micros()->end());
  Union(ar.bad_rated_tickets(), sr2->mutable_bad_rated_tickets());
  Union(ar.reviewed_orders(), sr2->mutable_reviewed_orders());
  for (const auto& t : ar.timers()) {
    bool merged = false;
    for (auto& mine : *sr2->mutable_timers()) {
      if (mine.kind() == t.kind()) {
        if (t.due_micros() > mine.due_micros()) mine = t;
        merged = true;
      }
    }
    if (!merged) *sr2->add_timers() = t;
  }
  std::sort(sr2->mutable_timers()->begin(), sr2->mutable_timers()->end(),
            [](const auto& x, const auto& y) {
              return std::make_pair(x.due_micros(), x.kind()) <
                     std::make_pair(y.due_micros(), y.kind());
            });
}

}  // namespace custhub::profile
