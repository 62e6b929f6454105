#include "src/common/time.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace custhub {

absl::StatusOr<Micros> ParseRfc3339(absl::string_view text,
                                    absl::string_view field) {
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": empty time"));
  }
  if (text.size() > 64) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": time too long"));
  }
  absl::Time t;
  std::string err;
  std::string s(text);
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';  // "2024-05-01 10:00:00Z"
  if (!absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S%Ez", s, &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": '", text, "' is not an RFC 3339 time with offset"));
  }
  return absl::ToUnixMicros(t);
}

std::string FormatRfc3339(Micros t) {
  absl::Time at = absl::FromUnixMicros(t);
  if (t % kMicrosPerSecond == 0) {
    return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", at, absl::UTCTimeZone());
  }
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ", at, absl::UTCTimeZone());
}

Micros WallNowMicros() { return absl::ToUnixMicros(absl::Now()); }

}  // namespace custhub
