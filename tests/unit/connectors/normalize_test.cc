#include "connectors/common/normalize.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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
  // National numbers: canonical E.164 ones never reach the cache.
  SetPhoneCacheCapacity(8);
  for (int i = 0; i < 100; ++i) {
    auto e = PhoneToE164(absl::StrCat("(415) 555-", 1000 + i), "US");
    REQUIRE(e.ok());
    CHECK(*e == absl::StrCat("+1415555", 1000 + i));
    CHECK(PhoneCacheSize() <= 8);
    CHECK(PhoneCacheSize() >= 1);
  }
  SetPhoneCacheCapacity(0);
  CHECK(PhoneToE164("(415) 555-1000", "US").ok());
  CHECK(PhoneCacheSize() == 0);
  SetPhoneCacheCapacity(kDefaultPhoneCacheCapacity);
}

// Phones as the platforms send them, around the canonical +1 shape.
std::vector<std::string> PhoneInputs() {
  std::mt19937 rng(20240501);
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
    return s;
  };
  std::vector<std::string> in;
  for (int area = 0; area < 1000; ++area) {  // every area code, 0xx and 1xx too
    in.push_back(absl::StrFormat("+1%03d%s", area, digits(7)));
  }
  for (int i = 0; i < 200; ++i) {
    std::string ten = digits(10);
    in.push_back(absl::StrCat("+1", ten));
    in.push_back(absl::StrCat("+1", digits(9)));   // too short
    in.push_back(absl::StrCat("+1", digits(11)));  // too long
    in.push_back(absl::StrCat("+", digits(11)));   // other country codes
    in.push_back(absl::StrCat("+", digits(1 + rng() % 16)));
    in.push_back(absl::StrCat("+11", ten));  // national prefix after +1
    in.push_back(absl::StrCat("1", ten));
    in.push_back(ten);
    in.push_back(absl::StrCat("+1 (", ten.substr(0, 3), ") ", ten.substr(3, 3),
                              "-", ten.substr(6)));
    in.push_back(absl::StrCat(" +1", ten, " "));
    in.push_back(absl::StrCat("+1", ten, " ext. ", digits(3)));
    in.push_back(absl::StrCat("+1", ten.substr(0, 9), "x"));
    in.push_back(absl::StrCat("+1", ten, "#"));
    in.push_back(absl::StrCat("\xEF\xBC\x8B", "1", ten));  // fullwidth plus
    in.push_back(absl::StrCat("++1", ten));
    in.push_back(absl::StrCat("+44", digits(10)));
    in.push_back(absl::StrCat("+440", digits(10)));
    in.push_back(absl::StrCat("+39 0", digits(9)));
    in.push_back(absl::StrCat("00", digits(11)));
    in.push_back(absl::StrCat("011", digits(11)));
  }
  for (const char* odd :
       {"", " ", "+", "+1", "+1 ", "tel:+14155550123", "+1-415-555-0123",
        "+14155550123;ext=1", "+1415555012\u0663", "+1.415.555.0123", "+1e10",
        "+12345678901", "+19999999999", "+12000000000"}) {
    in.emplace_back(odd);
  }
  return in;
}

TEST_CASE("phone fast path: same E.164 as libphonenumber for every input",
          "[normalize]") {
  SetPhoneCacheCapacity(0);  // every answer computed, not remembered
  size_t fast = 0;
  for (const std::string& raw : PhoneInputs()) {
    std::string trimmed(absl::StripAsciiWhitespace(raw));
    for (const char* region : {"US", "CA", "AG", "PR", "GB", "DE", "IT", "IN",
                               "", "ZZ", "001", "us"}) {
      std::string want = ParsePhoneWithLibphonenumber(trimmed, region);
      auto got = PhoneToE164(raw, region);
      INFO("'" << raw << "' in '" << region << "'");
      REQUIRE(got.ok() == !want.empty());
      if (got.ok()) REQUIRE(*got == want);
      if (IsCanonicalNanpE164(trimmed)) {
        ++fast;
        REQUIRE(want == trimmed);
      }
    }
  }
  CHECK(fast > 12 * 900);  // the fast path took its share
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
