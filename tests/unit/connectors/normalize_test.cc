#include "connectors/common/normalize.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "connectors/decode.h"

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

TEST_CASE("JSON depth limit: same verdict with the plain nesting pre-check",
          "[normalize]") {
  using namespace custhub::connectors;
  // Decode skips simdjson's full parse for bodies with few brackets; at and
  // around the limit the verdict must be simdjson's.
  simdjson::dom::parser reference;
  REQUIRE(reference.allocate(1 << 20, kMaxJsonDepth) == simdjson::SUCCESS);
  for (const char* name : {"plain", "ann \\\"the\\\" first"}) {
    for (size_t n = 40; n < 80; ++n) {
      std::string body = absl::StrCat(
          R"({"occurredAt":"2026-01-01T00:00:00Z","name":")", name, R"(","x":)",
          std::string(n, '['), "1", std::string(n, ']'), "}");
      simdjson::dom::element ignored;
      bool too_deep = reference.parse(body.data(), body.size()).get(ignored) ==
                      simdjson::DEPTH_ERROR;
      RawRecord r{"orders",           body, "canonical", "order.created", "e1",
                  "application/json", 0};
      auto events = Decode(r, DecodeOptions());
      bool refused =
          !events.ok() &&
          absl::StrContains(events.status().message(), "nested deeper");
      INFO(n << " " << name);
      CHECK(refused == too_deep);
    }
  }
}
