// What a decoder sees of one Kafka record: its body and the headers that say
// what the body is. Views only; the record outlives the decode call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace custhub::connectors {

// Settings every decoder may read.
struct DecodeOptions {
  // Region for phone numbers written without a country code (ISO 3166
  // alpha-2). Default: US.
  std::string default_phone_region = "US";
};

struct RawRecord {
  absl::string_view topic;
  absl::string_view body;
  absl::string_view source;        // header `source`; empty means canonical
  absl::string_view event_type;    // header `event-type`
  absl::string_view event_id;      // header `event-id`; may be empty
  absl::string_view content_type;  // header `content-type`; empty means JSON
  int64_t timestamp_ms = -1;       // broker or create time
};

}  // namespace custhub::connectors
