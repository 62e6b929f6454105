// Normalisation shared by every decoder: phones to E.164 with libphonenumber,
// platform time formats to UTC micros, JSON number tokens to exact money.
//
//   auto phone = PhoneToE164("(415) 555-0100", "US");   // "+14155550100"
//   auto t = ParseWebhookTime("2024-05-01 10:00:00", "fired_at");  // UTC
//   auto m = MoneyFromToken("19.99", "USD", "total_price");  // {1999, USD}
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/common/money.h"
#include "src/common/time.h"

namespace custhub::connectors {

// E.164 for a phone written nationally (with `default_region`, an ISO 3166
// alpha-2 code) or internationally. InvalidArgument names `field` if the
// number is not a valid phone number.
// Canonical NANP E.164 text is returned as it is (IsCanonicalNanpE164);
// other results are cached per thread (see SetPhoneCacheCapacity).
absl::StatusOr<std::string> PhoneToE164(absl::string_view raw,
                                        absl::string_view default_region,
                                        absl::string_view field = "phone");

// E.164 of `text` from libphonenumber alone (no cache, no fast path), or ""
// when it is not a possible phone number. What PhoneToE164 answers for
// trimmed text; public so tests can hold the fast path to it.
std::string ParsePhoneWithLibphonenumber(absl::string_view text,
                                         absl::string_view default_region);

// True for text already in canonical North American E.164
// ("+14155550123"), which PhoneToE164 returns as it is, in any default
// region, without asking libphonenumber (~100k instructions a parse).
bool IsCanonicalNanpE164(absl::string_view text);

// Entries PhoneToE164's per-thread cache holds before it starts over; 0
// turns it off. Clears the calling thread's cache. For tests and tuning.
inline constexpr size_t kDefaultPhoneCacheCapacity = 100000;
void SetPhoneCacheCapacity(size_t entries);
// Entries in the calling thread's cache.
size_t PhoneCacheSize();

// Accepts RFC 3339 / ISO 8601 with an offset, Unix seconds (digits, maybe
// with a fraction), and "YYYY-MM-DD HH:MM:SS" (taken as UTC, as Mailchimp
// sends it). Returns UTC micros, or InvalidArgument naming `field`.
absl::StatusOr<Micros> ParseWebhookTime(absl::string_view text,
                                        absl::string_view field);

// Exact minor units from a decimal string or a JSON number's raw token
// ("19.99", "20", "1.5e1" is refused). Negative amounts are refused unless
// `allow_negative`. Errors name `field`.
absl::StatusOr<Money> MoneyFromToken(absl::string_view token,
                                     absl::string_view currency,
                                     absl::string_view field,
                                     bool allow_negative = false);

}  // namespace custhub::connectors
