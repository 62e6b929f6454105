// The canonical source: the body is a custhub.v1.Event, binary protobuf when
// content-type is application/x-protobuf, protobuf's JSON mapping otherwise.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

absl::StatusOr<std::vector<custhub::v1::Event>> DecodeCanonical(
    const RawRecord& record);

}  // namespace custhub::connectors
