#include "src/profile/fold.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "src/common/status.h"
#include "src/profile/timestamp.h"

namespace custhub::profile {
namespace {

using google::protobuf::Timestamp;

void SetMin(Timestamp* t, Micros at) {
  if (!IsSet(*t) || at < ToMicros(*t)) SetTime(t, at);
}

void SetMax(Timestamp* t, Micros at) {
  if (!IsSet(*t) || at > ToMicros(*t)) SetTime(t, at);
}

// Parses an optional RFC 3339 field, falling back to the event time.
absl::StatusOr<Micros> TimeOr(const std::string& text, absl::string_view field,
                              Micros fallback) {
  if (text.empty()) return fallback;
  return ParseRfc3339(text, field);
}

void AddSorted(google::protobuf::RepeatedPtrField<std::string>* list,
               const std::string& value) {
  auto it = std::lower_bound(list->begin(), list->end(), value);
  if (it != list->end() && *it == value) return;
  list->Add(std::string(value));
  std::sort(list->begin(), list->end());
}

// Whether two ledger entries agree on every field but the refunds (what
// ApplyOrder changes; it leaves the refunds alone). A field added to
// OrderLedgerEntry must be added here: fold_test counts them.
bool SameOrderFields(const v1::OrderLedgerEntry& a,
                     const v1::OrderLedgerEntry& b) {
  return a.customer_key() == b.customer_key() &&
         a.order_seen() == b.order_seen() &&
         a.updated_at_micros() == b.updated_at_micros() &&
         a.created_at_micros() == b.created_at_micros() &&
         a.has_total() == b.has_total() &&
         a.total().minor() == b.total().minor() &&
         a.total().currency() == b.total().currency() &&
         a.item_count() == b.item_count() && a.cancelled() == b.cancelled() &&
         a.fulfilled() == b.fulfilled() && a.paid() == b.paid() &&
         a.checkout_token() == b.checkout_token();
}

// What one order adds to its customer's aggregates.
struct Contribution {
  int count = 0, cancelled = 0, open = 0, items = 0, returns = 0,
      items_returned = 0;
  int64_t gross = 0, refunded = 0;
};

Contribution ContributionOf(const v1::OrderLedgerEntry& e) {
  Contribution c;
  if (!e.order_seen()) return c;
  if (e.cancelled()) {
    c.cancelled = 1;
    return c;
  }
  c.count = 1;
  c.open = e.fulfilled() ? 0 : 1;
  c.items = e.item_count();
  c.gross = e.total().minor();
  for (const auto& [id, r] : e.refunds()) {
    c.refunded += r.amount().minor();
    if (r.items_returned() > 0) {
      ++c.returns;
      c.items_returned += r.items_returned();
    }
  }
  return c;
}

void AddContribution(const Contribution& d, int sign,
                     const std::string& currency, v1::CustomerState* c) {
  auto* o = c->mutable_profile()->mutable_orders();
  auto* r = c->mutable_profile()->mutable_returns();
  o->set_count(o->count() + sign * d.count);
  o->set_cancelled_count(o->cancelled_count() + sign * d.cancelled);
  o->set_open_count(o->open_count() + sign * d.open);
  o->set_items_bought(o->items_bought() + sign * d.items);
  o->mutable_gross_revenue()->set_minor(o->gross_revenue().minor() +
                                        sign * d.gross);
  o->mutable_refunded()->set_minor(o->refunded().minor() + sign * d.refunded);
  r->set_count(r->count() + sign * d.returns);
  r->set_items_returned(r->items_returned() + sign * d.items_returned);
  if (!currency.empty()) {
    o->mutable_gross_revenue()->set_currency(currency);
    o->mutable_refunded()->set_currency(currency);
  }
}

// Times that only ever move outwards, so they need no subtraction.
void ApplyOrderTimes(const v1::OrderLedgerEntry& e, v1::CustomerState* c) {
  if (!e.order_seen()) return;
  auto* o = c->mutable_profile()->mutable_orders();
  SetMin(o->mutable_first_order_at(), e.created_at_micros());
  SetMax(o->mutable_last_order_at(), e.created_at_micros());
  if (e.cancelled()) return;
  for (const auto& [id, r] : e.refunds()) {
    if (r.items_returned() > 0) {
      SetMax(c->mutable_profile()->mutable_returns()->mutable_last_return_at(),
             r.created_at_micros());
    }
  }
}

absl::Status CheckCurrency(const std::string& currency, absl::string_view field,
                           const v1::CustomerState& c) {
  const std::string& mine = c.profile().orders().gross_revenue().currency();
  if (!mine.empty() && !currency.empty() && mine != currency) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, ": ", currency, " differs from the customer's currency ", mine));
  }
  return absl::OkStatus();
}

// The newest consent event wins; at equal times the most restrictive.
bool SetConsent(v1::EmailStats::Consent s, Micros at, v1::CustomerState* c) {
  auto* email = c->mutable_profile()->mutable_email();
  bool newer = at > c->consent_at_micros() ||
               (at == c->consent_at_micros() &&
                ConsentRank(s) > ConsentRank(email->consent()));
  if (!newer || email->consent() == s) {
    if (newer) c->set_consent_at_micros(at);
    return false;
  }
  email->set_consent(s);
  c->set_consent_at_micros(at);
  return true;
}

// Keeps the 20 newest closed checkouts by (order time, token): the same set
// whatever order the orders were folded in.
void RememberClosedCheckout(const std::string& token, Micros at,
                            v1::CustomerState* c) {
  auto* closed = c->mutable_closed_checkouts();
  for (const auto& cc : *closed) {
    if (cc.token() == token) return;
  }
  v1::ClosedCheckout added;
  added.set_token(token);
  added.set_at_micros(at);
  *closed->Add() = std::move(added);
  std::sort(closed->begin(), closed->end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.at_micros(), a.token()) <
           std::make_pair(b.at_micros(), b.token());
  });
  if (closed->size() > 20) closed->erase(closed->begin());
}

bool TicketIsOpen(const std::string& status) {
  return status != "solved" && status != "closed" && status != "deleted";
}

}  // namespace

void ApplyIdentity(const v1::Event& event, Micros at, v1::CustomerState* c) {
  auto* p = c->mutable_profile();
  const auto& ids = event.identifiers();
  for (const auto& e : ids.emails()) AddSorted(p->mutable_emails(), e);
  for (const auto& ph : ids.phones()) AddSorted(p->mutable_phones(), ph);
  for (const auto& [source, id] : ids.external_ids()) {
    auto& slot = (*p->mutable_external_ids())[source];
    // One id per source; the smallest wins if a source reports two.
    if (slot.empty() || id < slot) slot = id;
  }
  if (!event.first_name().empty() || !event.last_name().empty()) {
    std::string mine = p->first_name() + '\0' + p->last_name();
    std::string theirs = event.first_name() + '\0' + event.last_name();
    if (at > c->names_at_micros() ||
        (at == c->names_at_micros() && theirs > mine)) {
      p->set_first_name(event.first_name());
      p->set_last_name(event.last_name());
      c->set_names_at_micros(at);
    }
  }
  if (c->first_seen_micros() == 0 || at < c->first_seen_micros()) {
    c->set_first_seen_micros(at);
    SetTime(p->mutable_first_seen_at(), at);
  }
  if (at > c->last_event_micros()) {
    c->set_last_event_micros(at);
    SetTime(p->mutable_last_event_at(), at);
  }
  p->set_events_applied(p->events_applied() + 1);
}

absl::StatusOr<bool> ApplyOrder(const v1::Order& order, Micros at,
                                const std::string& customer_key,
                                v1::OrderLedgerEntry* entry,
                                v1::CustomerState* c) {
  CUSTHUB_ASSIGN_OR_RETURN(Micros updated,
                           TimeOr(order.updated_at(), "order.updated_at", at));
  CUSTHUB_ASSIGN_OR_RETURN(Micros created,
                           TimeOr(order.created_at(), "order.created_at", at));
  if (entry->order_seen() && updated < entry->updated_at_micros()) return false;
  CUSTHUB_RETURN_IF_ERROR(
      CheckCurrency(order.total().currency(), "order.total.currency", *c));
  for (const auto& [id, r] : entry->refunds()) {
    if (r.amount().currency() != order.total().currency()) {
      return absl::FailedPreconditionError(
          absl::StrCat("refund ", id, ": currency ", r.amount().currency(),
                       " differs from its order's ", order.total().currency()));
    }
  }
  int items = order.item_count();
  if (items == 0) {
    for (const auto& li : order.line_items()) items += li.quantity();
  }

  v1::OrderLedgerEntry next = *entry;
  next.set_customer_key(customer_key);
  next.set_order_seen(true);
  next.set_updated_at_micros(updated);
  next.set_created_at_micros(created);
  *next.mutable_total() = order.total();
  next.set_item_count(items);
  // A cancelled or deleted order stays out of revenue for good.
  next.set_cancelled(entry->cancelled() || order.cancelled() ||
                     order.deleted());
  next.set_fulfilled(entry->fulfilled() || order.fulfilled());
  next.set_paid(entry->paid() || order.paid());
  if (!order.checkout_token().empty()) {
    next.set_checkout_token(order.checkout_token());
  }

  AddContribution(ContributionOf(*entry), -1, "", c);
  AddContribution(ContributionOf(next), +1, order.total().currency(), c);
  ApplyOrderTimes(next, c);

  // The order closes the checkout it came from, or any checkout the
  // customer opened before placing it.
  auto* co = c->mutable_profile()->mutable_checkout();
  const std::string& token = next.checkout_token();
  if (co->open() &&
      ((!token.empty() && token == co->checkout_token()) ||
       (IsSet(co->since()) && created >= ToMicros(co->since())))) {
    co->set_open(false);
  }
  if (!token.empty()) RememberClosedCheckout(token, created, c);
  bool changed = !SameOrderFields(next, *entry);
  *entry = std::move(next);
  return changed;
}

absl::StatusOr<bool> ApplyRefund(const v1::Refund& refund, Micros at,
                                 v1::OrderLedgerEntry* entry,
                                 v1::CustomerState* c) {
  if (entry->refunds().contains(refund.refund_id())) return false;
  CUSTHUB_ASSIGN_OR_RETURN(
      Micros created, TimeOr(refund.created_at(), "refund.created_at", at));
  if (entry->order_seen() &&
      refund.amount().currency() != entry->total().currency()) {
    return absl::FailedPreconditionError(
        absl::StrCat("refund.amount.currency: ", refund.amount().currency(),
                     " differs from its order's ", entry->total().currency()));
  }
  v1::RefundRecord record;
  *record.mutable_amount() = refund.amount();
  record.set_items_returned(refund.items_returned());
  record.set_created_at_micros(created);
  if (c == nullptr || !entry->order_seen()) {
    (*entry->mutable_refunds())[refund.refund_id()] = std::move(record);
    return true;  // held until the order arrives
  }
  AddContribution(ContributionOf(*entry), -1, "", c);
  (*entry->mutable_refunds())[refund.refund_id()] = std::move(record);
  AddContribution(ContributionOf(*entry), +1, entry->total().currency(), c);
  ApplyOrderTimes(*entry, c);
  return true;
}

bool ApplyOrderDeleted(Micros at, v1::OrderLedgerEntry* entry,
                       v1::CustomerState* c) {
  if (entry->cancelled()) return false;
  v1::OrderLedgerEntry next = *entry;
  next.set_cancelled(true);
  next.set_updated_at_micros(std::max(entry->updated_at_micros(), at));
  if (c != nullptr && entry->order_seen()) {
    AddContribution(ContributionOf(*entry), -1, "", c);
    AddContribution(ContributionOf(next), +1, entry->total().currency(), c);
  }
  *entry = std::move(next);
  return true;
}

absl::StatusOr<bool> ApplyCheckout(const v1::Checkout& checkout, Micros at,
                                   v1::CustomerState* c) {
  CUSTHUB_ASSIGN_OR_RETURN(
      Micros updated, TimeOr(checkout.updated_at(), "checkout.updated_at", at));
  CUSTHUB_ASSIGN_OR_RETURN(
      Micros created, TimeOr(checkout.created_at(), "checkout.created_at", at));
  const auto& closed = c->closed_checkouts();
  bool already_closed =
      checkout.completed() ||
      std::any_of(closed.begin(), closed.end(), [&](const auto& cc) {
        return cc.token() == checkout.checkout_token();
      });
  if (updated < c->checkout_updated_micros()) return false;
  auto* co = c->mutable_profile()->mutable_checkout();
  // An order placed after this checkout opened already closed it.
  const auto& last_order = c->profile().orders().last_order_at();
  bool bought_since = IsSet(last_order) && ToMicros(last_order) >= created;
  co->set_open(!already_closed && !bought_since);
  *co->mutable_value() = checkout.value();
  SetTime(co->mutable_since(), created);
  co->set_checkout_token(checkout.checkout_token());
  c->set_checkout_updated_micros(updated);
  return true;
}

absl::StatusOr<bool> ApplyTicket(const v1::Ticket& ticket, Micros at,
                                 const std::string& customer_key,
                                 v1::TicketLedgerEntry* entry,
                                 v1::CustomerState* c) {
  CUSTHUB_ASSIGN_OR_RETURN(
      Micros updated, TimeOr(ticket.updated_at(), "ticket.updated_at", at));
  CUSTHUB_ASSIGN_OR_RETURN(
      Micros created, TimeOr(ticket.created_at(), "ticket.created_at", at));
  auto* s = c->mutable_profile()->mutable_support();
  bool seen = !entry->customer_key().empty();
  if (seen && updated < entry->updated_at_micros()) return false;
  if (!seen) s->set_total_tickets(s->total_tickets() + 1);
  bool was_open = seen && TicketIsOpen(entry->status());
  std::string status = ticket.status().empty() ? "open" : ticket.status();
  bool is_open = TicketIsOpen(status);
  s->set_open_tickets(s->open_tickets() + (is_open ? 1 : 0) -
                      (was_open ? 1 : 0));
  SetMax(s->mutable_last_ticket_at(), created);
  const std::string& rating = ticket.satisfaction();
  if ((rating == "good" || rating == "bad") &&
      (updated > c->satisfaction_at_micros() ||
       (updated == c->satisfaction_at_micros() && rating == "bad"))) {
    s->set_last_satisfaction(rating);
    c->set_satisfaction_at_micros(updated);
  }
  entry->set_customer_key(customer_key);
  entry->set_status(status);
  entry->set_updated_at_micros(updated);
  entry->set_created_at_micros(created);
  if (!rating.empty()) entry->set_satisfaction(rating);
  return true;
}

absl::StatusOr<bool> ApplyEmail(const v1::EmailEngagement& email, Micros at,
                                v1::CustomerState* c) {
  auto* e = c->mutable_profile()->mutable_email();
  switch (email.kind()) {
    case v1::EmailEngagement::DELIVERED:
      e->set_delivered(e->delivered() + 1);
      return true;
    case v1::EmailEngagement::OPENED:
      e->set_opens(e->opens() + 1);
      SetMax(e->mutable_last_open_at(), at);
      return true;
    case v1::EmailEngagement::CLICKED:
      e->set_clicks(e->clicks() + 1);
      SetMax(e->mutable_last_click_at(), at);
      return true;
    case v1::EmailEngagement::BOUNCED:
      e->set_bounces(e->bounces() + 1);
      SetConsent(v1::EmailStats::BOUNCED, at, c);
      return true;
    case v1::EmailEngagement::SPAM_COMPLAINT:
      e->set_spam_complaints(e->spam_complaints() + 1);
      SetConsent(v1::EmailStats::SPAM_COMPLAINT, at, c);
      return true;
    case v1::EmailEngagement::DROPPED:
      return false;
    default:
      return absl::InvalidArgumentError("email.kind: missing or unknown");
  }
}

absl::StatusOr<bool> ApplyConsent(const v1::ConsentChange& consent, Micros at,
                                  v1::CustomerState* c) {
  switch (consent.state()) {
    case v1::ConsentChange::SUBSCRIBED:
      return SetConsent(v1::EmailStats::SUBSCRIBED, at, c);
    case v1::ConsentChange::UNSUBSCRIBED:
      return SetConsent(v1::EmailStats::UNSUBSCRIBED, at, c);
    default:
      return absl::InvalidArgumentError("consent.state: missing or unknown");
  }
}

int ConsentRank(v1::EmailStats::Consent s) {
  switch (s) {
    case v1::EmailStats::SPAM_COMPLAINT:
      return 4;
    case v1::EmailStats::BOUNCED:
      return 3;
    case v1::EmailStats::UNSUBSCRIBED:
      return 2;
    case v1::EmailStats::SUBSCRIBED:
      return 1;
    default:
      return 0;
  }
}

void Finalize(v1::CustomerState* c) {
  auto* p = c->mutable_profile();
  auto* o = p->mutable_orders();
  const std::string& currency = o->gross_revenue().currency();
  o->mutable_gross_revenue()->set_currency(currency);
  o->mutable_refunded()->set_currency(currency);
  o->mutable_net_revenue()->set_currency(currency);
  o->mutable_net_revenue()->set_minor(o->gross_revenue().minor() -
                                      o->refunded().minor());
  o->mutable_average_order_value()->set_currency(currency);
  o->mutable_average_order_value()->set_minor(
      o->count() > 0 ? o->gross_revenue().minor() / o->count() : 0);
  auto* r = p->mutable_returns();
  r->set_return_rate(o->items_bought() > 0
                         ? static_cast<double>(r->items_returned()) /
                               o->items_bought()
                         : 0.0);
  // Present every section, so JSON readers always find the keys.
  p->mutable_support();
  p->mutable_email();
  p->mutable_checkout();
  p->mutable_traits();
}

}  // namespace custhub::profile
