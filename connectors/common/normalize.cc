#include "connectors/common/normalize.h"

#include <phonenumbers/phonenumberutil.h>

#include <atomic>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace custhub::connectors {
namespace {

std::atomic<size_t> phone_cache_capacity{kDefaultPhoneCacheCapacity};

// libphonenumber parses with ICU regexes (~50k instructions a number), and
// the same customers' phones come back in every order, ticket and update:
// the result per (region, text) is remembered. Per thread, so decoders on
// several threads need no lock. Empty string: not a phone number.
struct PhoneCache {
  absl::flat_hash_map<std::string, std::string> entries;
};

PhoneCache& ThreadPhoneCache() {
  thread_local PhoneCache cache;
  return cache;
}

}  // namespace

std::string ParsePhoneWithLibphonenumber(absl::string_view text,
                                         absl::string_view default_region) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  auto err =
      util->Parse(std::string(text), std::string(default_region), &number);
  if (err != PhoneNumberUtil::NO_PARSING_ERROR ||
      !util->IsPossibleNumber(number)) {
    return "";
  }
  std::string out;
  util->Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

bool IsCanonicalNanpE164(absl::string_view text) {
  // "+1", then ten digits whose first is 2-9. libphonenumber takes "1" as the
  // country code (whatever the default region), finds no national prefix to
  // strip (the US prefix is "1"), and ten digits are a possible length for
  // +1; so its E.164 is the text itself.
  if (text.size() != 12 || text[0] != '+' || text[1] != '1' || text[2] < '2' ||
      text[2] > '9') {
    return false;
  }
  for (char c : text.substr(3)) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

void SetPhoneCacheCapacity(size_t entries) {
  phone_cache_capacity.store(entries, std::memory_order_relaxed);
  ThreadPhoneCache().entries.clear();
}

size_t PhoneCacheSize() { return ThreadPhoneCache().entries.size(); }

absl::StatusOr<std::string> PhoneToE164(absl::string_view raw,
                                        absl::string_view default_region,
                                        absl::string_view field) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(raw);
  if (trimmed.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": empty"));
  }
  if (trimmed.size() > 64) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": too long"));
  }
  // Shopify and most platforms already send E.164; most phones stop here,
  // without libphonenumber or the cache.
  if (IsCanonicalNanpE164(trimmed)) return std::string(trimmed);
  size_t capacity = phone_cache_capacity.load(std::memory_order_relaxed);
  std::string out;
  if (capacity == 0) {
    out = ParsePhoneWithLibphonenumber(trimmed, default_region);
  } else {
    // Region codes are letters, so '|' cannot make two keys collide.
    std::string key = absl::StrCat(default_region, "|", trimmed);
    auto& entries = ThreadPhoneCache().entries;
    auto it = entries.find(key);
    if (it != entries.end()) {
      out = it->second;
    } else {
      out = ParsePhoneWithLibphonenumber(trimmed, default_region);
      // Full: start over rather than track recency; the hot phones come
      // back within a few records.
      if (entries.size() >= capacity) entries.clear();
      entries.emplace(std::move(key), out);
    }
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", trimmed, "' is not a phone number"));
  }
  return out;
}

absl::StatusOr<Micros> ParseWebhookTime(absl::string_view text,
                                        absl::string_view field) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  if (t.empty())
    return absl::InvalidArgumentError(absl::StrCat(field, ": empty"));
  bool numeric = true;
  for (char c : t) numeric = numeric && (absl::ascii_isdigit(c) || c == '.');
  if (numeric) {
    double seconds;
    if (!absl::SimpleAtod(t, &seconds) || seconds < 0 ||
        seconds > 32503680000.0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": '", t, "' is not a Unix time"));
    }
    return static_cast<Micros>(seconds * 1e6 + 0.5);
  }
  // "YYYY-MM-DD HH:MM:SS" with no offset: Mailchimp's UTC format.
  if (t.size() == 19 && t[10] == ' ') {
    return ParseRfc3339(absl::StrCat(t, "Z"), field);
  }
  return ParseRfc3339(t, field);
}

absl::StatusOr<Money> MoneyFromToken(absl::string_view token,
                                     absl::string_view currency,
                                     absl::string_view field,
                                     bool allow_negative) {
  absl::string_view t = absl::StripAsciiWhitespace(token);
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"') {
    t = t.substr(1, t.size() - 2);
  }
  auto m = ParseMoney(t, currency);
  if (!m.ok()) {
    return absl::Status(m.status().code(),
                        absl::StrCat(field, ": ", m.status().message()));
  }
  if (m->minor < 0 && !allow_negative) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": negative amount"));
  }
  return m;
}

}  // namespace custhub::connectors
