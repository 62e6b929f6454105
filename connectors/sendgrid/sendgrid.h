// SendGrid Event Webhook: the body is a JSON array of events, so one record
// becomes one canonical Event per element (`processed` and `deferred` carry
// no engagement and yield none). Each event keeps SendGrid's `sg_event_id`
// as its event id, so a re-delivered batch deduplicates element by element.
//
//   RawRecord r{.body = R"([{"email": "ann@example.com", "event": "open",
//                            "timestamp": 1700000000, "sg_event_id": "e1"}])",
//               .source = "sendgrid"};
//   auto events = DecodeSendGrid(r, DecodeOptions{});
//   // events->front().email().kind() == EmailEngagement::OPENED
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// delivered, open, click, bounce, dropped, spamreport -> EmailEngagement;
// unsubscribe, group_unsubscribe, group_resubscribe -> ConsentChange. One bad
// element fails the whole record, with an error naming it ("[3].email:
// missing"), so the batch goes to the DLQ whole rather than half-applied.
absl::StatusOr<std::vector<custhub::v1::Event>> DecodeSendGrid(
    const RawRecord& r, const DecodeOptions& options);

}  // namespace custhub::connectors
