#include "src/common/time.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace custhub {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The inverse: year, month, day of a day count.
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

bool Digits(absl::string_view s, size_t pos, size_t n, unsigned* out) {
  unsigned v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  *out = v;
  return true;
}

// The common shape "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+hh:mm|-hh:mm)" with
// in-range fields, without absl's general parser (which was ~5% of the
// engine). Anything else returns false and goes to absl, so what is
// accepted and how it is read does not change.
bool ParseCommon(absl::string_view s, Micros* out) {
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
    return false;
  }
  unsigned year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || !Digits(s, 5, 2, &month) ||
      !Digits(s, 8, 2, &day) || !Digits(s, 11, 2, &hour) ||
      !Digits(s, 14, 2, &minute) || !Digits(s, 17, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  size_t i = 19;
  int64_t frac_micros = 0;
  if (s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - start < 6) frac_micros = frac_micros * 10 + (s[i] - '0');
      ++i;
    }
    size_t n = i - start;
    if (n == 0 || n > 9) return false;
    for (size_t k = n; k < 6; ++k) frac_micros *= 10;
  }
  int64_t offset_seconds = 0;
  if (i + 1 == s.size() && s[i] == 'Z') {
    // UTC
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') &&
             s[i + 3] == ':') {
    unsigned oh, om;
    if (!Digits(s, i + 1, 2, &oh) || !Digits(s, i + 4, 2, &om) || oh > 23 ||
        om > 59) {
      return false;
    }
    offset_seconds =
        (s[i] == '-' ? -1 : 1) * static_cast<int64_t>(oh * 3600 + om * 60);
  } else {
    return false;
  }
  int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 +
                    minute * 60 + second - offset_seconds;
  *out = seconds * kMicrosPerSecond + frac_micros;
  return true;
}

}  // namespace

absl::StatusOr<Micros> ParseRfc3339(absl::string_view text,
                                    absl::string_view field) {
  if (Micros fast; text.size() <= 64 && ParseCommon(text, &fast)) return fast;
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
  if (t >= 0 && t < 253402300800LL * kMicrosPerSecond) {  // years 1970..9999
    // What absl::FormatTime writes for these, without its general
    // formatter (~4% of the engine).
    int64_t seconds = t / kMicrosPerSecond;
    int64_t micros = t % kMicrosPerSecond;
    int64_t days = seconds / 86400;
    int64_t rem = seconds % 86400;
    int64_t y;
    unsigned m, d;
    CivilFromDays(days, &y, &m, &d);
    char buf[32];
    auto put = [&buf](int pos, int64_t v, int width) {
      for (int k = width - 1; k >= 0; --k) {
        buf[pos + k] = static_cast<char>('0' + v % 10);
        v /= 10;
      }
    };
    put(0, y, 4);
    buf[4] = '-';
    put(5, m, 2);
    buf[7] = '-';
    put(8, d, 2);
    buf[10] = 'T';
    put(11, rem / 3600, 2);
    buf[13] = ':';
    put(14, rem / 60 % 60, 2);
    buf[16] = ':';
    put(17, rem % 60, 2);
    int len = 19;
    if (micros != 0) {
      buf[len++] = '.';
      put(len, micros, 6);
      len += 6;
    }
    buf[len++] = 'Z';
    return std::string(buf, len);
  }
  absl::Time at = absl::FromUnixMicros(t);
  if (t % kMicrosPerSecond == 0) {
    return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", at, absl::UTCTimeZone());
  }
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ", at, absl::UTCTimeZone());
}

Micros WallNowMicros() { return absl::ToUnixMicros(absl::Now()); }

}  // namespace custhub
