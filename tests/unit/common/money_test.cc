#include "src/common/money.h"

#include <catch2/catch.hpp>

using custhub::AddMoney;
using custhub::CurrencyExponent;
using custhub::Money;
using custhub::ParseMoney;

TEST_CASE("decimal amounts become exact minor units by currency exponent",
          "[money]") {
  CHECK(*ParseMoney("120.50", "USD") == Money{12050, "USD"});
  CHECK(*ParseMoney("0.1", "USD") == Money{10, "USD"});
  CHECK(*ParseMoney("1500", "JPY") == Money{1500, "JPY"});
  CHECK(*ParseMoney("1.234", "KWD") == Money{1234, "KWD"});
  CHECK(*ParseMoney("19.90", "EUR") == Money{1990, "EUR"});
  CHECK(*ParseMoney("-3.5", "USD") == Money{-350, "USD"});
  CHECK(*ParseMoney("2.500", "USD") == Money{250, "USD"});  // trailing zeros ok
}

TEST_CASE("money that is not money is refused with the reason", "[money]") {
  CHECK_FALSE(ParseMoney("12.345", "USD").ok());  // more decimals than cents
  CHECK_FALSE(ParseMoney("1.5", "JPY").ok());
  CHECK_FALSE(ParseMoney("abc", "USD").ok());
  CHECK_FALSE(ParseMoney("1e5", "USD").ok());
  CHECK_FALSE(ParseMoney("", "USD").ok());
  CHECK_FALSE(ParseMoney("1.2.3", "USD").ok());
  CHECK_FALSE(ParseMoney("10", "usd").ok());
  CHECK_FALSE(ParseMoney("10", "DOLLARS").ok());
  auto huge = ParseMoney("99999999999999999999999", "USD");
  REQUIRE_FALSE(huge.ok());
  CHECK(absl::IsOutOfRange(huge.status()));
}

TEST_CASE("money arithmetic is exact and checks currency and overflow",
          "[money]") {
  // 0.1 + 0.2 is exactly 0.3 in minor units, unlike in doubles.
  auto sum = AddMoney(*ParseMoney("0.1", "USD"), *ParseMoney("0.2", "USD"));
  REQUIRE(sum.ok());
  CHECK(*sum == Money{30, "USD"});
  CHECK(AddMoney(Money{5, ""}, Money{7, "EUR"})->currency == "EUR");
  CHECK(absl::IsFailedPrecondition(
      AddMoney(Money{1, "USD"}, Money{1, "EUR"}).status()));
  CHECK(absl::IsOutOfRange(
      AddMoney(Money{INT64_MAX, "USD"}, Money{1, "USD"}).status()));
  CHECK(*CurrencyExponent("JPY") == 0);
  CHECK(*CurrencyExponent("BHD") == 3);
  CHECK(*CurrencyExponent("GBP") == 2);
  CHECK(custhub::FormatMoney(Money{12050, "USD"}) == "120.50 USD");
  CHECK(custhub::FormatMoney(Money{-5, "KWD"}) == "-0.005 KWD");
}
