#include "connectors/common/normalize.h"

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/str_cat.h"

namespace custhub::connectors {
namespace {

TEST_CASE("phone cache: same answers as libphonenumber, errors name the field",
          "[normalize]") {
  SetPhoneCacheCapacity(0);
  auto plain = PhoneToE164("(415) 555-0100", "US");
  auto bad = PhoneToE164("12", "US", "billing.phone");
  SetPhoneCacheCapacity(kDefaultPhoneCacheCapacity);
  REQUIRE(plain.ok());
  CHECK(*plain == "+14155550100");
  for (int round = 0; round < 2; ++round) {  // miss, then hit
    auto cached = PhoneToE164("(415) 555-0100", "US");
    REQUIRE(cached.ok());
    CHECK(*cached == *plain);
    auto cached_bad = PhoneToE164("12", "US", "phone2");
    REQUIRE(!cached_bad.ok());
    CHECK(cached_bad.status().message() ==
          "phone2: '12' is not a phone number");
  }
  CHECK(bad.status().message() == "billing.phone: '12' is not a phone number");
  // The region is part of the key: a national number means another country.
  auto gb = PhoneToE164("020 7946 0018", "GB");
  REQUIRE(gb.ok());
  CHECK(*gb == "+442079460018");
  auto us = PhoneToE164("020 7946 0018", "US");
  CHECK(!us.ok());
}

TEST_CASE("phone cache: never holds more than its capacity", "[normalize]") {
  SetPhoneCacheCapacity(8);
  for (int i = 0; i < 100; ++i) {
    auto e = PhoneToE164(absl::StrCat("+1415555", 1000 + i), "US");
    REQUIRE(e.ok());
    CHECK(*e == absl::StrCat("+1415555", 1000 + i));
    CHECK(PhoneCacheSize() <= 8);
    CHECK(PhoneCacheSize() >= 1);
  }
  SetPhoneCacheCapacity(0);
  CHECK(PhoneToE164("+14155551000", "US").ok());
  CHECK(PhoneCacheSize() == 0);
  SetPhoneCacheCapacity(kDefaultPhoneCacheCapacity);
}

}  // namespace
}  // namespace custhub::connectors
