// The ticket template shared by Zendesk and Gorgias: a flat JSON object whose
// values are strings rendered from the help desk's placeholders (see
// CONTRACT.md, "Source payloads"). Zendesk renders an unknown placeholder as
// an empty string, so every field may be empty; `ticket_id` may also arrive
// as a JSON number. Both platforms' decoders call DecodeTicketTemplate with
// their own source name, which names the event's source, the external-id key
// and error messages.
//
//   RawRecord r{.body = body, .source = "gorgias",
//               .event_type = "ticket.solved"};
//   auto events = DecodeTicketTemplate(r, DecodeOptions{}, "gorgias");
//   // events->front().ticket().status() == "solved"
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// True for the event types the template is sent with: ticket.created,
// ticket.updated, ticket.solved, satisfaction.rated.
bool IsTicketEventType(absl::string_view event_type);

// One Ticket event from the template body. `source` ("zendesk" or
// "gorgias") becomes Event.source and the key of the requester's external
// id. Errors are InvalidArgument and start with the offending field.
absl::StatusOr<std::vector<custhub::v1::Event>> DecodeTicketTemplate(
    const RawRecord& r, const DecodeOptions& options, absl::string_view source);

}  // namespace custhub::connectors
