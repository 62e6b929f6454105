// Exact money in integer minor units, and parsing of decimal amounts by the
// currency's ISO 4217 exponent (USD 2, JPY 0, KWD 3).
//
//   auto m = ParseMoney("120.50", "USD");   // Money{12050, "USD"}
//   auto sum = AddMoney(*m, Money{100, "USD"});
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace custhub {

struct Money {
  int64_t minor = 0;
  std::string currency;

  friend bool operator==(const Money&, const Money&) = default;
};

// Largest amount custhub accepts for one order or refund, in minor units:
// ten billion major units. Anything bigger is treated as bad input.
inline constexpr int64_t kMaxMinorUnits = 1'000'000'000'000LL;

// The ISO 4217 exponent of `currency`, or InvalidArgument if the code is not
// three upper-case letters. Unknown but well-formed codes default to 2.
absl::StatusOr<int> CurrencyExponent(absl::string_view currency);

// Parses "12.5", "12.50", "-3", "1e2" is rejected. More fractional digits
// than the exponent allows is an error unless they are zeros.
absl::StatusOr<Money> ParseMoney(absl::string_view amount,
                                 absl::string_view currency);

// Sums two amounts of the same currency; an empty currency adopts the other.
// OutOfRange on overflow, FailedPrecondition on a currency mismatch.
absl::StatusOr<Money> AddMoney(const Money& a, const Money& b);

// "120.50 USD"
std::string FormatMoney(const Money& m);

}  // namespace custhub
