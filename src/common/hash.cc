#include "src/common/hash.h"

#include <xxhash.h>

#include <cstdio>

namespace custhub {

uint64_t Hash64(absl::string_view data) {
  return XXH3_64bits(data.data(), data.size());
}

absl::uint128 Hash128(absl::string_view data) {
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return absl::MakeUint128(h.high64, h.low64);
}

namespace {

constexpr absl::string_view kBase32Alphabet =
    "0123456789abcdefghjkmnpqrstvwxyz";

}  // namespace

std::string Base32Lower(uint64_t value) {
  std::string out(13, '0');
  for (int i = 12; i >= 0; --i) {
    out[i] = kBase32Alphabet[value & 31];
    value >>= 5;
  }
  return out;
}

bool ParseBase32Lower(absl::string_view text, uint64_t* value) {
  // 13 digits hold 65 bits: the first may use only four.
  if (text.size() != 13 || kBase32Alphabet.find(text[0]) > 15) return false;
  uint64_t v = 0;
  for (char c : text) {
    size_t d = kBase32Alphabet.find(c);
    if (d == absl::string_view::npos) return false;
    v = (v << 5) | d;
  }
  *value = v;
  return true;
}

std::string Hex64(uint64_t value) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx",
                static_cast<unsigned long long>(value));
  return buf;
}

Digest::Digest() : state_(XXH3_createState()) {
  XXH3_128bits_reset(static_cast<XXH3_state_t*>(state_));
}

Digest::~Digest() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void Digest::Add(absl::string_view data) {
  uint64_t len = data.size();
  auto* s = static_cast<XXH3_state_t*>(state_);
  XXH3_128bits_update(s, &len, sizeof(len));
  XXH3_128bits_update(s, data.data(), data.size());
}

std::string Digest::Hex() const {
  XXH128_hash_t h = XXH3_128bits_digest(static_cast<XXH3_state_t*>(state_));
  return Hex64(h.high64) + Hex64(h.low64);
}

}  // namespace custhub
