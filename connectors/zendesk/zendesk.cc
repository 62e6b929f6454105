#include "connectors/zendesk/zendesk.h"

#include "connectors/zendesk/ticket_template.h"

namespace custhub::connectors {

absl::StatusOr<std::vector<custhub::v1::Event>> DecodeZendesk(
    const RawRecord& r, const DecodeOptions& options) {
  return DecodeTicketTemplate(r, options, "zendesk");
}

}  // namespace custhub::connectors
