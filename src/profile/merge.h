// Folding one customer's whole state into another's when an identifier
// proves they are the same person. Every field has its own rule, chosen so
// the merged state equals what folding all of both customers' events into
// one customer would have given: counts and money add (orders and refunds
// are partitioned between the two through the order ledger), first/last
// times take min/max, last-writer-wins fields compare their event times,
// and identities are the union.
//
//   MergeCustomer(absorbed_state, &survivor_state);
//   Finalize(&survivor_state);
#pragma once

#include "custhub/v1/state.pb.h"

namespace custhub::profile {

void MergeCustomer(const custhub::v1::CustomerState& absorbed,
                   custhub::v1::CustomerState* survivor);

}  // namespace custhub::profile
