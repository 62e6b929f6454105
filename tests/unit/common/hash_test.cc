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
