#include "connectors/gorgias/gorgias.h"

#include "connectors/zendesk/ticket_template.h"

namespace custhub::connectors {

absl::StatusOr<std::vector<custhub::v1::Event>> DecodeGorgias(
    const RawRecord& r, const DecodeOptions& options) {
  return DecodeTicketTemplate(r, options, "gorgias");
}

}  // namespace custhub::connectors
