// Turns one Kafka record into canonical events, picking the decoder by the
// record's `source` header. Pure: no I/O.
//
//   RawRecord r{.body = value, .source = "canonical"};
//   auto events = Decode(r);  // InvalidArgument names the field on failure
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// Deepest JSON nesting a body may have.
inline constexpr size_t kMaxJsonDepth = 64;

// Sources custhub knows, as they appear in the `source` header.
bool IsKnownSource(absl::string_view source);

// Decodes and validates. Each event gets source, event type and an event id
// (its own, the `event-id` header, or a hash of source, type and body).
absl::StatusOr<std::vector<custhub::v1::Event>> Decode(
    const RawRecord& record, const DecodeOptions& options = {});

}  // namespace custhub::connectors
