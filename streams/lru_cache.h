// A bounded least-recently-used map from string keys to values, for the
// processor's cross-batch caches of committed state (see processor.h).
//
//   LruCache<std::string> owners(100000);
//   owners.Put("email:a@b.com", "cus_1");
//   if (const std::string* id = owners.Find("email:a@b.com")) ...
//   std::optional<std::string> v = owners.Take("email:a@b.com");  // moved out
//
// Capacity 0 holds nothing. Thread-safety: none.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace custhub::streams {

template <typename V>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // The value, marked as the most recently used; null if absent.
  V* Find(absl::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->second;
  }
  bool Contains(absl::string_view key) const { return index_.contains(key); }

  // Moves the value out and forgets the key.
  std::optional<V> Take(absl::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    auto node = it->second;
    index_.erase(it);
    std::optional<V> out(std::move(node->second));
    entries_.erase(node);
    return out;
  }

  // Inserts or replaces; the least recently used entry goes beyond capacity.
  void Put(std::string key, V value) {
    if (capacity_ == 0) return;
    auto it = index_.find(key);
    if (it != index_.end()) {
      it->second->second = std::move(value);
      entries_.splice(entries_.begin(), entries_, it->second);
      return;
    }
    entries_.emplace_front(std::move(key), std::move(value));
    // The list node owns the key; the index points into it (nodes do not
    // move).
    index_.emplace(entries_.front().first, entries_.begin());
    if (index_.size() > capacity_) {
      index_.erase(entries_.back().first);
      entries_.pop_back();
    }
  }

  void Erase(absl::string_view key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    auto node = it->second;
    index_.erase(it);
    entries_.erase(node);
  }
  void Clear() {
    index_.clear();
    entries_.clear();
  }
  size_t size() const { return index_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  using List = std::list<std::pair<std::string, V>>;
  size_t capacity_;
  List entries_;  // most recently used first
  absl::flat_hash_map<absl::string_view, typename List::iterator> index_;
};

}  // namespace custhub::streams
