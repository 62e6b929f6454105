#include "src/store/state_store.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "tests/common/temp_dir.h"

using namespace custhub::store;
using custhub::testing::TempDir;

namespace {

std::unique_ptr<StateStore> OpenOrDie(const std::string& path) {
  auto s = StateStore::Open({.path = path});
  REQUIRE(s.ok());
  return std::move(*s);
}

}  // namespace

TEST_CASE("reopening resumes from the stored offsets", "[store]") {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.path);
    StateBatch b;
    b.Put(Cf::kProfiles, "cus_1", "state-1");
    b.PutOffset("orders", 3, 1042);
    b.PutOffset("support", 0, 7);
    REQUIRE((store->Write(b)).ok());
  }
  auto store = OpenOrDie(dir.path);
  auto offsets = store->LoadOffsets();
  REQUIRE(offsets.ok());
  CHECK(offsets->size() == 2);
  CHECK(offsets->at({"orders", 3}) == 1042);
  CHECK(offsets->at({"support", 0}) == 7);
  CHECK(**store->Get(Cf::kProfiles, "cus_1") == "state-1");
}

TEST_CASE("a batch with state and offsets is all-or-nothing under kill -9",
          "[store][slow]") {
  TempDir dir;
  // A child writes batch after batch, each holding state record i and the
  // offset i; the parent kills it mid-stream, several times.
  std::mt19937 rng(7);
  int64_t last_offset = -1;
  for (int round = 0; round < 3; ++round) {
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(ready[0]);
      auto store = StateStore::Open({.path = dir.path, .sync = false});
      if (!store.ok()) _exit(3);
      auto offsets = (*store)->LoadOffsets();
      int64_t i = offsets->empty() ? 0 : offsets->begin()->second + 1;
      for (;; ++i) {
        StateBatch b;
        for (int k = 0; k < 50; ++k) {
          b.Put(Cf::kProfiles, absl::StrCat("cus_", i, "_", k),
                std::string(200, 'x'));
        }
        b.PutOffset("orders", 0, i);
        if (!(*store)->Write(b).ok()) _exit(4);
        if (ready[1] >= 0) {  // tell the parent the first batch is in
          if (write(ready[1], "x", 1) != 1) _exit(5);
          close(ready[1]);
          ready[1] = -1;
        }
      }
    }
    // Kill at a random point after the child has started writing, however
    // slow the machine is.
    close(ready[1]);
    char byte;
    REQUIRE(read(ready[0], &byte, 1) == 1);
    close(ready[0]);
    usleep(20000 + rng() % 150000);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    REQUIRE(WIFSIGNALED(status));

    auto store = OpenOrDie(dir.path);
    auto offsets = store->LoadOffsets();
    REQUIRE(offsets.ok());
    REQUIRE(offsets->size() == 1);
    int64_t offset = offsets->begin()->second;
    CHECK(offset >= last_offset);
    last_offset = offset;
    // Every batch up to the stored offset is whole; the next one is absent.
    for (int k = 0; k < 50; ++k) {
      CHECK((*store->Get(Cf::kProfiles, absl::StrCat("cus_", offset, "_", k)))
                .has_value());
      CHECK_FALSE(
          (*store->Get(Cf::kProfiles, absl::StrCat("cus_", offset + 1, "_", k)))
              .has_value());
    }
  }
  CHECK(last_offset > 0);
}

TEST_CASE("a reader opens the state dir while the writer holds it", "[store]") {
  TempDir dir;
  auto writer = OpenOrDie(dir.path);
  StateBatch b;
  b.Put(Cf::kProfiles, "cus_1", "v1");
  REQUIRE(writer->Write(b).ok());
  CHECK_FALSE(StateStore::Open({.path = dir.path}).ok());  // locked
  auto reader = StateStore::OpenReader(dir.path);
  REQUIRE(reader.ok());
  CHECK(**(*reader)->Get(Cf::kProfiles, "cus_1") == "v1");
  CHECK(absl::IsNotFound(StateStore::OpenReader(dir.path + "/nope").status()));
}

TEST_CASE("the digest depends on state, not on how it was batched", "[store]") {
  TempDir a, b, c;
  auto one = OpenOrDie(a.path);
  auto many = OpenOrDie(b.path);
  auto other = OpenOrDie(c.path);
  StateBatch all;
  for (int i = 0; i < 100; ++i) {
    all.Put(Cf::kProfiles, absl::StrCat("cus_", i), absl::StrCat("v", i));
    StateBatch single;
    single.Put(Cf::kProfiles, absl::StrCat("cus_", i), absl::StrCat("v", i));
    single.PutOffset("orders", 0, i);  // offsets are not customer state
    REQUIRE(many->Write(single).ok());
  }
  REQUIRE(one->Write(all).ok());
  all.Clear();
  all.Put(Cf::kProfiles, "cus_0", "changed");
  REQUIRE(other->Write(all).ok());
  CHECK(*one->Digest() == *many->Digest());
  CHECK(*one->Digest() != *other->Digest());
}

TEST_CASE("ForEach scans one prefix in key order", "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  StateBatch b;
  b.Put(Cf::kLedgers, "o|shop|2", "b");
  b.Put(Cf::kLedgers, "o|shop|1", "a");
  b.Put(Cf::kLedgers, "t|desk|1", "t");
  b.Delete(Cf::kLedgers, "o|shop|3");
  REQUIRE(store->Write(b).ok());
  std::vector<std::string> seen;
  REQUIRE(store
              ->ForEach(Cf::kLedgers, "o|",
                        [&](absl::string_view k, absl::string_view) {
                          seen.emplace_back(k);
                          return true;
                        })
              .ok());
  CHECK(seen == std::vector<std::string>{"o|shop|1", "o|shop|2"});
}

TEST_CASE("compaction drops seen ids below the expiry watermark", "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  StateBatch b;
  b.Put(Cf::kSeen, "shopify|old", EncodeBigEndian64(100));
  b.Put(Cf::kSeen, "shopify|new", EncodeBigEndian64(300));
  REQUIRE(store->Write(b).ok());
  store->SetSeenExpiry(200);
  REQUIRE(store->Flush().ok());
  REQUIRE(store->CompactAll().ok());
  CHECK_FALSE((*store->Get(Cf::kSeen, "shopify|old")).has_value());
  CHECK((*store->Get(Cf::kSeen, "shopify|new")).has_value());
}

TEST_CASE("a batch applies in the order it was written", "[store]") {
  // Write() sorts point operations by key for the memtable; the order of
  // writes to one key and of writes around a range delete must survive.
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  StateBatch b;
  b.Put(Cf::kTimeline, "z", "1");
  b.Put(Cf::kTimeline, "a\x01", "old");
  b.Delete(Cf::kTimeline, "z");
  b.Put(Cf::kTimeline, "a\x02", "gone");
  b.Put(Cf::kTimeline, "z", "2");
  b.DeleteRange(Cf::kTimeline, "a", "b");  // drops a\1 and a\2
  b.Put(Cf::kTimeline, "a\x03", "new");    // after the range delete: kept
  b.Put(Cf::kProfiles, "m", "x");
  b.Delete(Cf::kProfiles, "m");
  b.Put(Cf::kProfiles, "c", "y");
  REQUIRE(store->Write(b).ok());
  CHECK(**store->Get(Cf::kTimeline, "z") == "2");
  CHECK(!store->Get(Cf::kTimeline, "a\x01")->has_value());
  CHECK(!store->Get(Cf::kTimeline, "a\x02")->has_value());
  CHECK(**store->Get(Cf::kTimeline, "a\x03") == "new");
  CHECK(!store->Get(Cf::kProfiles, "m")->has_value());
  CHECK(**store->Get(Cf::kProfiles, "c") == "y");
  CHECK(b.Count() == 10);
}
