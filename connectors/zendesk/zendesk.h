// Zendesk: a trigger webhook whose JSON body is custhub's ticket template
// (CONTRACT.md, "Source payloads"), one Ticket event per record. The
// `event-type` header says which trigger fired.
//
//   RawRecord r{.body = body, .source = "zendesk",
//               .event_type = "ticket.created"};
//   auto events = DecodeZendesk(r, DecodeOptions{});
//   // events->front().ticket().ticket_id() == "35436"
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// event-type: ticket.created, ticket.updated, ticket.solved,
// satisfaction.rated. The requester's external_id becomes
// external_ids{"zendesk": id}. Errors start with the offending field.
absl::StatusOr<std::vector<custhub::v1::Event>> DecodeZendesk(
    const RawRecord& r, const DecodeOptions& options);

}  // namespace custhub::connectors
