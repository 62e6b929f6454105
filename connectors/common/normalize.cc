#include "connectors/common/normalize.h"

#include <phonenumbers/phonenumberutil.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace custhub::connectors {

absl::StatusOr<std::string> PhoneToE164(absl::string_view raw,
                                        absl::string_view default_region,
                                        absl::string_view field) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  absl::string_view trimmed = absl::StripAsciiWhitespace(raw);
  if (trimmed.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": empty"));
  }
  if (trimmed.size() > 64) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": too long"));
  }
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  auto err =
      util->Parse(std::string(trimmed), std::string(default_region), &number);
  if (err != PhoneNumberUtil::NO_PARSING_ERROR ||
      !util->IsPossibleNumber(number)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", trimmed, "' is not a phone number"));
  }
  std::string out;
  util->Format(number, PhoneNumberUtil::E164, &out);
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
