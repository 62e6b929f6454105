#include "src/common/money.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace custhub {

absl::StatusOr<int> CurrencyExponent(absl::string_view currency) {
  if (currency.size() != 3 || !absl::ascii_isupper(currency[0]) ||
      !absl::ascii_isupper(currency[1]) || !absl::ascii_isupper(currency[2])) {
    return absl::InvalidArgumentError(
        absl::StrCat("currency: '", currency, "' is not an ISO 4217 code"));
  }
  // ISO 4217 minor units that differ from 2.
  static constexpr absl::string_view kZero[] = {
      "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
      "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"};
  static constexpr absl::string_view kThree[] = {"BHD", "IQD", "JOD", "KWD",
                                                 "LYD", "OMR", "TND"};
  for (auto c : kZero)
    if (c == currency) return 0;
  for (auto c : kThree)
    if (c == currency) return 3;
  if (currency == "CLF" || currency == "UYW") return 4;
  return 2;
}

absl::StatusOr<Money> ParseMoney(absl::string_view amount,
                                 absl::string_view currency) {
  auto exponent = CurrencyExponent(currency);
  if (!exponent.ok()) return exponent.status();
  absl::string_view s = absl::StripAsciiWhitespace(amount);
  if (s.empty()) return absl::InvalidArgumentError("amount: empty");
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int64_t whole = 0;
  int64_t frac = 0;
  int frac_digits = 0;
  bool seen_dot = false;
  bool any_digit = false;
  for (char c : s) {
    if (c == '.') {
      if (seen_dot) return absl::InvalidArgumentError("amount: two dots");
      seen_dot = true;
      continue;
    }
    if (!absl::ascii_isdigit(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("amount: '", amount, "' is not a decimal number"));
    }
    any_digit = true;
    int d = c - '0';
    if (!seen_dot) {
      if (whole > kMaxMinorUnits) {
        return absl::OutOfRangeError(
            absl::StrCat("amount: '", amount, "' is too large"));
      }
      whole = whole * 10 + d;
    } else if (frac_digits < *exponent) {
      frac = frac * 10 + d;
      ++frac_digits;
    } else if (d != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("amount: '", amount, "' has more decimals than ",
                       currency, " allows"));
    }
  }
  if (!any_digit) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount: '", amount, "' has no digits"));
  }
  for (; frac_digits < *exponent; ++frac_digits) frac *= 10;
  int64_t scale = 1;
  for (int i = 0; i < *exponent; ++i) scale *= 10;
  int64_t minor = whole * scale + frac;
  if (minor > kMaxMinorUnits) {
    return absl::OutOfRangeError(
        absl::StrCat("amount: '", amount, "' is too large"));
  }
  return Money{negative ? -minor : minor, std::string(currency)};
}

absl::StatusOr<Money> AddMoney(const Money& a, const Money& b) {
  std::string currency = a.currency.empty() ? b.currency : a.currency;
  if (!a.currency.empty() && !b.currency.empty() && a.currency != b.currency) {
    return absl::FailedPreconditionError(
        absl::StrCat("currency mismatch: ", a.currency, " and ", b.currency));
  }
  int64_t sum;
  if (__builtin_add_overflow(a.minor, b.minor, &sum)) {
    return absl::OutOfRangeError("money overflow");
  }
  return Money{sum, std::move(currency)};
}

std::string FormatMoney(const Money& m) {
  auto exponent = CurrencyExponent(m.currency);
  int e = exponent.ok() ? *exponent : 2;
  int64_t scale = 1;
  for (int i = 0; i < e; ++i) scale *= 10;
  int64_t abs = m.minor < 0 ? -m.minor : m.minor;
  std::string out = absl::StrCat(m.minor < 0 ? "-" : "", abs / scale);
  if (e > 0) {
    std::string frac = absl::StrCat(abs % scale);
    out += "." + std::string(e - frac.size(), '0') + frac;
  }
  return absl::StrCat(out, " ", m.currency);
}

}  // namespace custhub
