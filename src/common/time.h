// Event time: RFC 3339 strings with a UTC offset in, microseconds since the
// Unix epoch (UTC) inside custhub.
//
//   auto t = ParseRfc3339("2024-05-01T10:00:00+02:00");  // 08:00 UTC
//   std::string s = FormatRfc3339(*t);                    // "...T08:00:00Z"
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace custhub {

using Micros = int64_t;  // microseconds since 1970-01-01T00:00:00Z

inline constexpr Micros kMicrosPerSecond = 1'000'000;
inline constexpr Micros kMicrosPerHour = 3600 * kMicrosPerSecond;
inline constexpr Micros kMicrosPerDay = 24 * kMicrosPerHour;

// Accepts RFC 3339 / ISO 8601 date-times that carry an offset ("Z",
// "+02:00"), with optional fractional seconds. A time without an offset is
// ambiguous and rejected. `field` names the field in the error.
absl::StatusOr<Micros> ParseRfc3339(absl::string_view text,
                                    absl::string_view field = "time");

// UTC, "2024-05-01T08:00:00Z", with fractional seconds only when non-zero.
std::string FormatRfc3339(Micros t);

// Wall-clock now, for logs and metrics only: folds run on event time.
Micros WallNowMicros();

}  // namespace custhub
