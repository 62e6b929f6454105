// The processor's cross-batch cache of committed identifier owners
// (identifier key -> customer id), kept small so it can hold every
// identifier of a few hundred thousand customers: a key is kept as its
// 128-bit hash (as SeenIds keeps event ids: a collision is not a practical
// risk), and an id derived from a key ("cus_" and 13 base32 characters,
// identity::CustomerIdFor) as the 64-bit hash it spells. ~40 bytes an
// entry against ~150 as two strings.
//
//   OwnerCache owners(400000);
//   owners.Put("email:a@b.com", "cus_0k3v...");
//   if (std::optional<std::string> id = owners.Find("email:a@b.com")) ...
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "src/common/hash.h"
#include "streams/lru_cache.h"

namespace custhub::streams {

class OwnerCache {
 public:
  explicit OwnerCache(size_t capacity) : cache_(capacity) {}

  std::optional<std::string> Find(absl::string_view key) {
    const Owner* owner = cache_.Find(Hash128(key));
    if (owner == nullptr) return std::nullopt;
    if (owner->other != nullptr) return *owner->other;
    return absl::StrCat(kPrefix, Base32Lower(owner->derived));
  }

  void Put(absl::string_view key, const std::string& id) {
    Owner owner;
    if (!absl::StartsWith(id, kPrefix) ||
        !ParseBase32Lower(absl::string_view(id).substr(kPrefix.size()),
                          &owner.derived)) {
      owner.other = std::make_unique<std::string>(id);
    }
    cache_.Put(Hash128(key), std::move(owner));
  }

  void Clear() { cache_.Clear(); }
  size_t size() const { return cache_.size(); }

 private:
  static constexpr absl::string_view kPrefix = "cus_";
  struct Owner {
    uint64_t derived = 0;                // the id is kPrefix + its base32
    std::unique_ptr<std::string> other;  // or, when set, this id
  };
  LruCache<Owner, absl::uint128> cache_;
};

}  // namespace custhub::streams
