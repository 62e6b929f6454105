// Dedup memory against a real RocksDB in a temp dir: one record per batch,
// reloaded at start, records out of the window deleted, an earlier
// version's one key per id rewritten.
#include "streams/seen_ids.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "src/store/state_store.h"
#include "tests/common/temp_dir.h"

using namespace custhub;
using streams::SeenIds;
using testing::TempDir;

namespace {

constexpr Micros kDay = kMicrosPerDay;
constexpr Micros kJan1 = 1767225600LL * kMicrosPerSecond;  // 2026-01-01

int SeenKeys(store::StateStore& store) {
  int n = 0;
  REQUIRE(store
              .ForEach(store::Cf::kSeen, "",
                       [&](absl::string_view, absl::string_view) {
                         ++n;
                         return true;
                       })
              .ok());
  return n;
}

std::unique_ptr<store::StateStore> OpenStore(const TempDir& dir) {
  auto store = store::StateStore::Open({.path = dir.path, .sync = false});
  REQUIRE(store.ok());
  return std::move(*store);
}

// The ids as loaded from `store`.
SeenIds Loaded(store::StateStore& store) {
  SeenIds seen;
  REQUIRE(seen.Load(&store).ok());
  return seen;
}

void Commit(store::StateStore& store, SeenIds& seen,
            const absl::flat_hash_map<SeenIds::Id, Micros>& fresh,
            Micros expiry) {
  store::StateBatch batch;
  seen.Commit(fresh, expiry, &batch);
  REQUIRE(store.Write(batch).ok());
}

}  // namespace

TEST_CASE("seen ids are one record per batch and come back at a restart",
          "[streams][dedup]") {
  TempDir dir;
  auto store = OpenStore(dir);
  SeenIds seen = Loaded(*store);
  absl::flat_hash_map<SeenIds::Id, Micros> fresh;
  for (int i = 0; i < 1000; ++i) {
    fresh[SeenIds::IdOf("shopify", "e" + std::to_string(i))] = kJan1 + i;
  }
  Commit(*store, seen, fresh, INT64_MIN);
  Commit(*store, seen, {{SeenIds::IdOf("zendesk", "e1"), kJan1 + kDay}},
         INT64_MIN);
  CHECK(SeenKeys(*store) == 2);
  CHECK(seen.Find(SeenIds::IdOf("shopify", "e7")) == kJan1 + 7);

  SeenIds again = Loaded(*store);
  CHECK(again.size() == 1001);
  CHECK(again.Find(SeenIds::IdOf("shopify", "e999")) == kJan1 + 999);
  CHECK(again.Find(SeenIds::IdOf("zendesk", "e1")) == kJan1 + kDay);
  CHECK_FALSE(again.Find(SeenIds::IdOf("zendesk", "e2")).has_value());
}

TEST_CASE("seen records wholly out of the window are deleted",
          "[streams][dedup]") {
  TempDir dir;
  auto store = OpenStore(dir);
  SeenIds seen = Loaded(*store);
  Commit(*store, seen,
         {{SeenIds::IdOf("shopify", "old1"), kJan1},
          {SeenIds::IdOf("shopify", "old2"), kJan1 + kDay}},
         INT64_MIN);
  Commit(*store, seen, {{SeenIds::IdOf("shopify", "new"), kJan1 + 9 * kDay}},
         INT64_MIN);
  REQUIRE(SeenKeys(*store) == 2);
  // The window starts after the first record's newest id: it goes.
  Commit(*store, seen, {}, kJan1 + 2 * kDay);
  CHECK(SeenKeys(*store) == 1);
  SeenIds again = Loaded(*store);
  CHECK_FALSE(again.Find(SeenIds::IdOf("shopify", "old2")).has_value());
  CHECK(again.Find(SeenIds::IdOf("shopify", "new")) == kJan1 + 9 * kDay);
}

TEST_CASE("an earlier version's seen keys are read, then rewritten as one",
          "[streams][dedup]") {
  TempDir dir;
  auto store = OpenStore(dir);
  {
    store::StateBatch legacy;
    legacy.Put(store::Cf::kSeen, "shopify|e1",
               store::EncodeBigEndian64(static_cast<uint64_t>(kJan1)));
    legacy.Put(store::Cf::kSeen, "zendesk|t9",
               store::EncodeBigEndian64(static_cast<uint64_t>(kJan1 + 5)));
    REQUIRE(store->Write(legacy).ok());
  }
  SeenIds seen = Loaded(*store);
  CHECK(seen.Find(SeenIds::IdOf("shopify", "e1")) == kJan1);
  CHECK(seen.Find(SeenIds::IdOf("zendesk", "t9")) == kJan1 + 5);
  Commit(*store, seen, {{SeenIds::IdOf("sendgrid", "m1"), kJan1 + 7}},
         INT64_MIN);
  CHECK(SeenKeys(*store) == 1);
  SeenIds again = Loaded(*store);
  CHECK(again.size() == 3);
  CHECK(again.Find(SeenIds::IdOf("zendesk", "t9")) == kJan1 + 5);
}

TEST_CASE("a corrupt seen record stops the load", "[streams][dedup]") {
  TempDir dir;
  auto store = OpenStore(dir);
  store::StateBatch bad;
  bad.Put(store::Cf::kSeen, std::string("\x01", 1) + std::string(16, '\0'),
          "short");
  REQUIRE(store->Write(bad).ok());
  SeenIds seen;
  CHECK(absl::IsDataLoss(seen.Load(store.get())));
}
