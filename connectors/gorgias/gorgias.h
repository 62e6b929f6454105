// Gorgias: an HTTP-integration webhook whose JSON body carries the same
// fields as the Zendesk ticket template (CONTRACT.md, "Source payloads").
// The parsing lives in connectors/zendesk/ticket_template.h; this decoder
// only names the source.
//
//   RawRecord r{.body = body, .source = "gorgias",
//               .event_type = "satisfaction.rated"};
//   auto events = DecodeGorgias(r, DecodeOptions{});
//   // events->front().source() == "gorgias"
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// event-type: ticket.created, ticket.updated, ticket.solved,
// satisfaction.rated. The requester's external_id becomes
// external_ids{"gorgias": id}. Errors start with the offending field.
absl::StatusOr<std::vector<custhub::v1::Event>> DecodeGorgias(
    const RawRecord& r, const DecodeOptions& options);

}  // namespace custhub::connectors
