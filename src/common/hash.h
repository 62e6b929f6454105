// Stable 64-bit hashing (xxHash XXH3) for ids, dedup keys and digests.
// Stable across runs and machines: never change the seed.
//
//   uint64_t h = Hash64("email:a@b.com");
//   std::string id = Base32Lower(h);  // 13 chars
#pragma once

#include <cstdint>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"

namespace custhub {

uint64_t Hash64(absl::string_view data);

// 128 bits (XXH3), where a collision must not happen in practice (dedup:
// two distinct event ids alike would drop an event).
absl::uint128 Hash128(absl::string_view data);

// Crockford-style base32 (lower case, no padding) of a 64-bit value.
std::string Base32Lower(uint64_t value);
// The value Base32Lower made `text` from; false when it did not make it.
bool ParseBase32Lower(absl::string_view text, uint64_t* value);

// 16 lower-case hex digits.
std::string Hex64(uint64_t value);

// Incremental 128-bit hash for digests over many keys and values.
class Digest {
 public:
  Digest();
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  // Adds a length-prefixed field, so ("ab","c") and ("a","bc") differ.
  void Add(absl::string_view data);
  // 32 lower-case hex digits.
  std::string Hex() const;

 private:
  void* state_;  // XXH3_state_t, kept out of this header
};

}  // namespace custhub
