// The Shopify decoder: a webhook body (a REST Admin API order, refund,
// checkout or customer resource, as Shopify posts it) plus its
// X-Shopify-Topic, carried in the `event-type` header, into one canonical
// custhub.v1.Event. Pure: no I/O. Validation (email case, id lengths, the
// "identifiers" rule) happens afterwards in ValidateEvent.
//
//   RawRecord r{.body = value, .source = "shopify",
//               .event_type = "orders/create"};
//   auto events = DecodeShopify(r, DecodeOptions{});
//   // events->front().order().total() == {12050, "USD"}
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// Topics: orders/create, orders/updated, orders/paid, orders/fulfilled,
// orders/cancelled -> Order; refunds/create -> Refund; checkouts/create,
// checkouts/update -> Checkout; customers/create, customers/update ->
// CustomerUpdate. Any other topic is InvalidArgument naming "event-type".
// Errors name the offending JSON field, which becomes the DLQ reason.
absl::StatusOr<std::vector<custhub::v1::Event>> DecodeShopify(
    const RawRecord& r, const DecodeOptions& options);

}  // namespace custhub::connectors
