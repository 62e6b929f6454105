// StateStore::ForEachReverse (newest-first scans for the HTTP API) and
// reads from other threads while Scrub() reopens the database.
#include <atomic>
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/store/state_store.h"
#include "tests/common/temp_dir.h"

using namespace custhub::store;
using custhub::testing::TempDir;

namespace {

std::unique_ptr<StateStore> OpenOrDie(const std::string& path) {
  auto s = StateStore::Open({.path = path, .sync = false});
  REQUIRE(s.ok());
  return std::move(*s);
}

std::vector<std::string> Reverse(StateStore& store, const std::string& prefix,
                                 size_t limit = 1000) {
  std::vector<std::string> keys;
  REQUIRE(store
              .ForEachReverse(Cf::kTimeline, prefix,
                              [&](absl::string_view k, absl::string_view) {
                                keys.emplace_back(k);
                                return keys.size() < limit;
                              })
              .ok());
  return keys;
}

std::string Key(const std::string& customer, uint64_t at) {
  return absl::StrCat(customer, std::string(1, '\0'), EncodeBigEndian64(at),
                      EncodeBigEndian64(0));
}

}  // namespace

TEST_CASE("a reverse scan returns a prefix's keys newest first", "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  StateBatch b;
  // Neighbours on both sides must not leak in: "cus_a" < "cus_a\0..." <
  // "cus_a\x01" < "cus_b".
  b.Put(Cf::kTimeline, "cus_a", "x");
  for (uint64_t t : {5, 1, 3, 2, 4}) b.Put(Cf::kTimeline, Key("cus_a", t), "v");
  b.Put(Cf::kTimeline, "cus_a\x01", "x");
  b.Put(Cf::kTimeline, Key("cus_b", 9), "v");
  b.Put(Cf::kTimeline, Key("cus_0", 9), "v");
  REQUIRE(store->Write(b).ok());

  std::string prefix = std::string("cus_a") + '\0';
  auto keys = Reverse(*store, prefix);
  REQUIRE(keys.size() == 5);
  for (size_t i = 0; i < keys.size(); ++i)
    CHECK(keys[i] == Key("cus_a", 5 - i));
  // Stopping early gives the newest ones.
  auto two = Reverse(*store, prefix, 2);
  CHECK(two == std::vector<std::string>{Key("cus_a", 5), Key("cus_a", 4)});
  // The last prefix in the family, an absent prefix, and every key.
  CHECK(Reverse(*store, std::string("cus_b") + '\0').size() == 1);
  CHECK(Reverse(*store, std::string("cus_z") + '\0').empty());
  CHECK(Reverse(*store, "").size() == 9);
  CHECK(Reverse(*store, "").front() == Key("cus_b", 9));
}

TEST_CASE("a reverse scan handles prefixes ending in 0xff bytes", "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  StateBatch b;
  std::string p = "a\xff\xff";
  b.Put(Cf::kTimeline, p + "1", "v");
  b.Put(Cf::kTimeline, p + "2", "v");
  b.Put(Cf::kTimeline, "b", "v");
  REQUIRE(store->Write(b).ok());
  CHECK(Reverse(*store, p) == std::vector<std::string>{p + "2", p + "1"});
  CHECK(Reverse(*store, "\xff").empty());
}

TEST_CASE("reads on other threads stay safe while Scrub reopens the store",
          "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  StateBatch b;
  for (int i = 0; i < 100; ++i) {
    b.Put(Cf::kProfiles, absl::StrCat("cus_", i), "state");
    b.Put(Cf::kTimeline, Key("cus_1", i), "v");
  }
  REQUIRE(store->Write(b).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto v = store->Get(Cf::kProfiles, "cus_7");
        if (!v.ok() || !v->has_value()) ++bad;
        int n = 0;
        auto s = store->ForEachReverse(
            Cf::kTimeline, std::string("cus_1") + '\0',
            [&](absl::string_view, absl::string_view) { return ++n < 10; });
        if (!s.ok() || n != 10) ++bad;
        (void)store->DiskBytes();
        (void)store->WriteStalls();
        ++reads;
      }
    });
  }
  for (int i = 0; i < 5; ++i) REQUIRE(store->Scrub().ok());
  // Readers ran during (or at least between) the reopenings.
  while (reads.load() < 20) std::this_thread::yield();
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(bad.load() == 0);
  CHECK(store->WriteStalls() == 0);
}
