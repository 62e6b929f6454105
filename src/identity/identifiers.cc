#include "src/identity/identifiers.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "src/common/hash.h"

namespace custhub::identity {

absl::StatusOr<std::string> NormalizeEmail(absl::string_view email) {
  std::string e = absl::AsciiStrToLower(absl::StripAsciiWhitespace(email));
  if (e.empty()) return absl::InvalidArgumentError("email: empty");
  if (e.size() > 254)
    return absl::InvalidArgumentError("email: longer than 254 bytes");
  size_t at = e.find('@');
  if (at == std::string::npos || at == 0 ||
      e.find('@', at + 1) != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("email: '", e, "' is not an address"));
  }
  absl::string_view domain = absl::string_view(e).substr(at + 1);
  size_t dot = domain.find('.');
  if (dot == absl::string_view::npos || dot == 0 || domain.back() == '.') {
    return absl::InvalidArgumentError(
        absl::StrCat("email: '", e, "' has no valid domain"));
  }
  for (unsigned char c : e) {
    if (c <= ' ' || c == 0x7f || c == ',' || c == ';' || c == '<' || c == '>') {
      return absl::InvalidArgumentError(absl::StrCat(
          "email: '", absl::CHexEscape(e), "' has an invalid character"));
    }
  }
  return e;
}

absl::StatusOr<std::string> NormalizePhoneE164(absl::string_view phone) {
  std::string out;
  for (char c : absl::StripAsciiWhitespace(phone)) {
    if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    out.push_back(c);
  }
  bool ok =
      out.size() >= 9 && out.size() <= 16 && out[0] == '+' && out[1] != '0';
  for (size_t i = 1; ok && i < out.size(); ++i)
    ok = absl::ascii_isdigit(out[i]);
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("phone: '", absl::CHexEscape(phone), "' is not E.164"));
  }
  return out;
}

absl::Status NormalizeIdentifiers(custhub::v1::Identifiers* ids) {
  for (auto& e : *ids->mutable_emails()) {
    auto n = NormalizeEmail(e);
    if (!n.ok()) return n.status();
    e = *n;
  }
  for (auto& p : *ids->mutable_phones()) {
    auto n = NormalizePhoneE164(p);
    if (!n.ok()) return n.status();
    p = *n;
  }
  for (const auto& [source, id] : ids->external_ids()) {
    if (source.empty() || id.empty() || source.size() > 64 || id.size() > 256) {
      return absl::InvalidArgumentError(absl::StrCat(
          "external_ids: '", source, "' -> '", id, "' is not a valid id"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> IdentifierKeys(const custhub::v1::Identifiers& ids) {
  std::vector<std::string> keys;
  std::vector<std::string> external;
  for (const auto& [source, id] : ids.external_ids()) {
    external.push_back(absl::StrCat("ext:", source, ":", id));
  }
  std::sort(external.begin(), external.end());
  keys.insert(keys.end(), external.begin(), external.end());
  for (const auto& e : ids.emails()) keys.push_back(absl::StrCat("email:", e));
  for (const auto& p : ids.phones()) keys.push_back(absl::StrCat("phone:", p));
  std::vector<std::string> unique;
  for (auto& k : keys) {
    if (std::find(unique.begin(), unique.end(), k) == unique.end()) {
      unique.push_back(std::move(k));
    }
  }
  return unique;
}

CustomerId CustomerIdFor(absl::string_view strongest_key) {
  return CustomerId(absl::StrCat("cus_", Base32Lower(Hash64(strongest_key))));
}

}  // namespace custhub::identity
