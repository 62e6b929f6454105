// Klaviyo: the JSON:API event object, as the Get Event API returns it and as
// a system webhook carries it in each `data[].payload`. The metric name
// (the event's kind) comes from data.attributes.metric, the included metric,
// a top-level "metric", or else the `event-type` header; the customer from
// the included (or inline) profile's email, phone_number and id.
//
//   RawRecord r{.body = R"({"data": {"type": "event", "id": "4vR",
//       "attributes": {"datetime": "2024-05-01T10:00:00+00:00",
//                      "event_properties": {"URL": "https://shop.test/"},
//                      "profile": {"data": {"attributes": {
//                          "email": "ann@example.com"}}}}}})",
//               .source = "klaviyo", .event_type = "Clicked Email"};
//   auto events = DecodeKlaviyo(r, DecodeOptions{});
//   // events->front().email().url() == "https://shop.test/"
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// One Event per event object (a system-webhook envelope may carry several).
// Received/Opened/Clicked/Bounced/Dropped Email and Marked Email as Spam ->
// EmailEngagement; Unsubscribed and Subscribed metrics -> ConsentChange.
// Each event keeps Klaviyo's event id. Errors start with the offending field.
absl::StatusOr<std::vector<custhub::v1::Event>> DecodeKlaviyo(
    const RawRecord& r, const DecodeOptions& options);

}  // namespace custhub::connectors
