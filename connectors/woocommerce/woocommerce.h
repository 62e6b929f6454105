// The WooCommerce decoder: an order webhook body (the REST API v3 order
// resource, money as decimal strings, *_gmt times without an offset) plus
// its X-WC-Webhook-Topic, carried in the `event-type` header, into
// canonical custhub.v1.Events. Pure: no I/O. ValidateEvent runs afterwards.
//
//   RawRecord r{.body = value, .source = "woocommerce",
//               .event_type = "order.updated"};
//   auto events = DecodeWooCommerce(r, DecodeOptions{});
//   // events->at(0): the Order; events->at(1..): one Refund per refunds[]
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// Topics: order.created, order.updated -> an Order, followed by one Refund
// per element of the order's `refunds` array (refund_id "wc-refund-<id>",
// so repeated deliveries fold once); order.deleted -> an Order with
// deleted=true. Any other topic is InvalidArgument naming "event-type".
// Errors name the offending JSON field, which becomes the DLQ reason.
absl::StatusOr<std::vector<custhub::v1::Event>> DecodeWooCommerce(
    const RawRecord& r, const DecodeOptions& options);

}  // namespace custhub::connectors
