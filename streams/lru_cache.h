// A bounded map from string keys to values that keeps the recently used
// ones, for the processor's cross-batch caches of committed state (see
// processor.h).
//
//   LruCache<std::string> owners(100000);
//   owners.Put("email:a@b.com", "cus_1");
//   if (const std::string* id = owners.Find("email:a@b.com")) ...
//   std::optional<std::string> v = owners.Take("email:a@b.com");  // moved out
//
// Two generations instead of a list in use order: entries put or found go
// to the young one; once it holds half the capacity, it becomes the old one
// and the old one's entries (unused for that long) are dropped. An entry
// used within the last capacity/2 puts always stays; no list node per entry
// and no relinking on every hit (the list's pointer chasing was a fifth of
// a cached customer's load).
//
// Keys are strings (looked up by string_view) unless `K` says otherwise.
// Capacity 0 holds nothing. Thread-safety: none.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace custhub::streams {

template <typename V, typename K = std::string>
class LruCache {
  using Arg = std::conditional_t<std::is_same_v<K, std::string>,
                                 absl::string_view, const K&>;

 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // The value, marked as recently used; null if absent.
  V* Find(Arg key) {
    if (auto it = young_.find(key); it != young_.end()) return &it->second;
    auto it = old_.find(key);
    if (it == old_.end()) return nullptr;
    auto node = old_.extract(it);
    return &Insert(std::move(node.key()), std::move(node.mapped()));
  }
  bool Contains(Arg key) const {
    return young_.contains(key) || old_.contains(key);
  }

  // Moves the value out and forgets the key.
  std::optional<V> Take(Arg key) {
    for (Map* m : {&young_, &old_}) {
      if (auto it = m->find(key); it != m->end()) {
        std::optional<V> out(std::move(it->second));
        m->erase(it);
        return out;
      }
    }
    return std::nullopt;
  }

  // Inserts or replaces.
  void Put(K key, V value) {
    if (capacity_ == 0) return;
    if (auto it = young_.find(key); it != young_.end()) {
      it->second = std::move(value);
      return;
    }
    old_.erase(key);
    Insert(std::move(key), std::move(value));
  }

  void Erase(Arg key) {
    if (young_.erase(key) == 0) old_.erase(key);
  }
  void Clear() {
    young_.clear();
    old_.clear();
  }
  size_t size() const { return young_.size() + old_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  using Map = absl::flat_hash_map<K, V>;

  // Into the young generation (the key is in neither), which turns old
  // when full.
  V& Insert(K key, V value) {
    if (capacity_ < 2 && !young_.empty()) {
      young_.clear();
    } else if (young_.size() >= capacity_ / 2 && capacity_ >= 2) {
      old_ = std::move(young_);
      young_ = Map();
    }
    return young_.try_emplace(std::move(key), std::move(value)).first->second;
  }

  size_t capacity_;
  Map young_;  // used since the last turn
  Map old_;    // used in the generation before
};

}  // namespace custhub::streams
