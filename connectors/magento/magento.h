// The Magento / Adobe Commerce decoder: the order or credit memo JSON that
// the webhook module posts on sales_order_save_after and
// sales_order_creditmemo_save_after (header `event-type`), into one
// canonical custhub.v1.Event. Pure: no I/O. ValidateEvent runs afterwards.
//
//   RawRecord r{.body = value, .source = "magento",
//               .event_type = "sales_order_save_after"};
//   auto events = DecodeMagento(r, DecodeOptions{});
//   // events->front().order().order_id() == the order's entity_id
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// The object may be the whole body or wrapped as {"order": ...},
// {"creditmemo": ...}, {"data": {"order" | "creditmemo" | "value": ...}}
// (Adobe Commerce webhooks and I/O Events). The observer prefix
// ("observer.sales_order_save_after") is accepted too. Any other event type
// is InvalidArgument naming "event-type"; other errors name the JSON field.
absl::StatusOr<std::vector<custhub::v1::Event>> DecodeMagento(
    const RawRecord& r, const DecodeOptions& options);

}  // namespace custhub::connectors
