// Keys of the batch processor's own bookkeeping in the meta family (read by
// Init, written with every batch).
#pragma once

#include "absl/strings/string_view.h"

namespace custhub::streams {

inline constexpr absl::string_view kNextSeqKey = "outbox_next_seq";
inline constexpr absl::string_view kStreamTimeKey = "stream_time";
inline constexpr absl::string_view kPartitionTimePrefix = "ptime|";
// Present once the timeline family holds one windowed log per customer
// (earlier versions: a value per customer and batch; MigrateTimeline).
inline constexpr absl::string_view kTimelineLogKey = "timeline_log";

}  // namespace custhub::streams
