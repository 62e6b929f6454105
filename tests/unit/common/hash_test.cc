#include "src/common/hash.h"

#include <catch2/catch.hpp>

TEST_CASE("hashes and ids are stable across runs", "[hash]") {
  // Pinned values: a change here changes every customer id in the field.
  CHECK(custhub::Hash64("") == 0x2d06800538d394c2ULL);
  CHECK(custhub::Base32Lower(0) == "0000000000000");
  CHECK(custhub::Base32Lower(31) == "000000000000z");
  CHECK(custhub::Hex64(255) == "00000000000000ff");
}

TEST_CASE("digests separate fields, so shifted boundaries differ", "[hash]") {
  custhub::Digest a, b, c;
  a.Add("ab");
  a.Add("c");
  b.Add("a");
  b.Add("bc");
  c.Add("ab");
  c.Add("c");
  CHECK(a.Hex() != b.Hex());
  CHECK(a.Hex() == c.Hex());
  CHECK(a.Hex().size() == 32);
}

TEST_CASE("base32 ids parse back to the value they came from", "[hash]") {
  for (uint64_t v : {uint64_t{0}, uint64_t{31}, uint64_t{1} << 63, ~uint64_t{0},
                     custhub::Hash64("email:a@b.com")}) {
    uint64_t back = 1;
    REQUIRE(custhub::ParseBase32Lower(custhub::Base32Lower(v), &back));
    CHECK(back == v);
  }
  uint64_t v;
  CHECK_FALSE(custhub::ParseBase32Lower("000000000000", &v));    // 12 digits
  CHECK_FALSE(custhub::ParseBase32Lower("00000000000000", &v));  // 14
  CHECK_FALSE(custhub::ParseBase32Lower("000000000000i", &v));   // not a digit
  CHECK_FALSE(custhub::ParseBase32Lower("000000000000Z", &v));   // upper case
  CHECK_FALSE(custhub::ParseBase32Lower("g000000000000", &v));   // 65th bit
  CHECK(custhub::ParseBase32Lower("f" + std::string(12, 'z'), &v));
  CHECK(v == ~uint64_t{0});
}
