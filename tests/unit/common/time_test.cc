#include "src/common/time.h"

#include <catch2/catch.hpp>

using custhub::FormatRfc3339;
using custhub::ParseRfc3339;

TEST_CASE("RFC 3339 times with offsets become UTC micros", "[time]") {
  auto utc = ParseRfc3339("2024-05-01T08:00:00Z");
  auto plus2 = ParseRfc3339("2024-05-01T10:00:00+02:00");
  auto minus5 = ParseRfc3339("2024-05-01T03:00:00-05:00");
  REQUIRE(utc.ok());
  CHECK(*utc == 1714550400LL * 1000000);
  CHECK(*plus2 == *utc);
  CHECK(*minus5 == *utc);
  CHECK(*ParseRfc3339("2024-05-01T08:00:00.250Z") == *utc + 250000);
  CHECK(*ParseRfc3339("2024-05-01 08:00:00Z") == *utc);
  CHECK(FormatRfc3339(*utc) == "2024-05-01T08:00:00Z");
  CHECK(FormatRfc3339(*utc + 5) == "2024-05-01T08:00:00.000005Z");
}

TEST_CASE("times without an offset or not times at all are refused", "[time]") {
  CHECK_FALSE(ParseRfc3339("2024-05-01T08:00:00").ok());
  CHECK_FALSE(ParseRfc3339("yesterday").ok());
  CHECK_FALSE(ParseRfc3339("").ok());
  auto bad = ParseRfc3339("2024-13-45T99:00:00Z", "order.created_at");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("order.created_at") !=
        absl::string_view::npos);
}
