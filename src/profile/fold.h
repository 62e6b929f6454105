// Pure folds: (state, event) -> new state. No I/O; the streams runtime loads
// the customer state and ledger entries, calls these, and stores the result.
//
// Every fold is idempotent and commutes with folds of other events of the
// same customer (records from different topics interleave differently on
// every run): counters add, first/last times take min/max, and
// last-writer-wins fields compare event times, ties broken by value.
//
//   v1::OrderLedgerEntry entry;   // loaded by (source, order id), or empty
//   v1::CustomerState customer;   // loaded by customer id, or empty
//   auto changed = ApplyOrder(event.order(), at, &entry, &customer);
//   Finalize(&customer);
#pragma once

#include "absl/status/statusor.h"
#include "custhub/v1/event.pb.h"
#include "custhub/v1/state.pb.h"
#include "src/common/time.h"

namespace custhub::profile {

namespace v1 = custhub::v1;

// Adds the event's identifiers and names to the profile and records that the
// customer was seen at `at`.
void ApplyIdentity(const v1::Event& event, Micros at, v1::CustomerState* c);

// Folds one delivery of an order into its ledger entry and the customer.
// A delivery whose updated_at is older than the ledger's changes nothing.
// Refunds held in the entry (they arrived first) count from now on.
// FailedPrecondition on a currency other than the customer's.
// `customer_key` is the strongest identifier key of the order's customer.
absl::StatusOr<bool> ApplyOrder(const v1::Order& order, Micros at,
                                const std::string& customer_key,
                                v1::OrderLedgerEntry* entry,
                                v1::CustomerState* c);

// Folds a refund into its order's ledger entry. `c` is the order's customer,
// or null while the order is unseen: the refund is then held in the entry.
// A refund id already in the entry changes nothing.
absl::StatusOr<bool> ApplyRefund(const v1::Refund& refund, Micros at,
                                 v1::OrderLedgerEntry* entry,
                                 v1::CustomerState* c);

// An order deleted at the shop leaves revenue for good. `c` is the order's
// customer, or null while the order is unseen: the deletion is then kept in
// the entry and applies when the order arrives.
bool ApplyOrderDeleted(Micros at, v1::OrderLedgerEntry* entry,
                       v1::CustomerState* c);

absl::StatusOr<bool> ApplyCheckout(const v1::Checkout& checkout, Micros at,
                                   v1::CustomerState* c);

absl::StatusOr<bool> ApplyTicket(const v1::Ticket& ticket, Micros at,
                                 const std::string& customer_key,
                                 v1::TicketLedgerEntry* entry,
                                 v1::CustomerState* c);

absl::StatusOr<bool> ApplyEmail(const v1::EmailEngagement& email, Micros at,
                                v1::CustomerState* c);

absl::StatusOr<bool> ApplyConsent(const v1::ConsentChange& consent, Micros at,
                                  v1::CustomerState* c);

// How restrictive a consent state is: the tie-break when two consent
// changes carry the same event time (spam complaint > bounced >
// unsubscribed > subscribed > unknown).
int ConsentRank(v1::EmailStats::Consent s);

// Recomputes derived fields (net revenue, average order value, return rate)
// from the aggregates. Call once after the folds of a batch.
void Finalize(v1::CustomerState* c);

}  // namespace custhub::profile
