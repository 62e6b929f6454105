// Windowed logs (src/store/windowed_log.h): items appended by blind merges
// read back joined, trimmed to the window behind the newest item, through
// reads, flushes and compactions, and never a failed read for a damaged
// piece.
#include "src/store/windowed_log.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "src/store/state_store.h"
#include "tests/common/temp_dir.h"

using namespace custhub::store;
using custhub::testing::TempDir;

namespace {

using Items = std::vector<std::pair<int64_t, std::string>>;

std::string Log(const Items& items) {
  std::string log;
  for (const auto& [at, item] : items) AppendLogItem(&log, at, item);
  return log;
}

Items Parse(absl::string_view log) {
  Items out;
  CHECK(ForEachLogItem(log, [&](int64_t at, absl::string_view item) {
    out.emplace_back(at, std::string(item));
  }));
  return out;
}

struct LogStore {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  LogStore() {
    auto opened = StateStore::Open({.path = dir.path, .sync = false});
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }
  void Append(const std::string& key, const Items& items) {
    StateBatch b;
    b.Merge(Cf::kTimeline, key, Log(items));
    REQUIRE(store->Write(b).ok());
  }
  Items Read(const std::string& key) {
    auto v = store->Get(Cf::kTimeline, key);
    REQUIRE(v.ok());
    return v->has_value() ? Parse(**v) : Items{};
  }
};

}  // namespace

TEST_CASE("a log's items read back in the order appended, and a cut is seen",
          "[store][log]") {
  Items items = {{-5, "minus"}, {7, ""}, {3, std::string(300, 'x')}};
  std::string log = Log(items);
  CHECK(Parse(log) == items);
  Items seen;
  CHECK_FALSE(ForEachLogItem(log.substr(0, log.size() - 1),
                             [&](int64_t at, absl::string_view item) {
                               seen.emplace_back(at, std::string(item));
                             }));
  CHECK(seen == Items{{-5, "minus"}, {7, ""}});  // the whole ones before it
}

TEST_CASE("appends join, and the window drops items behind the newest",
          "[store][log]") {
  LogStore s;
  s.Append("a", {{10, "a10"}, {30, "a30"}});
  s.Append("a", {{20, "a20"}});
  s.Append("b", {{1, "b1"}});

  SECTION("no window keeps everything, through flush and compaction") {
    CHECK(s.Read("a") == Items{{10, "a10"}, {30, "a30"}, {20, "a20"}});
    REQUIRE(s.store->Flush().ok());
    s.Append("a", {{5, "a5"}});
    REQUIRE(s.store->CompactAll().ok());
    CHECK(s.Read("a") ==
          Items{{10, "a10"}, {30, "a30"}, {20, "a20"}, {5, "a5"}});
    CHECK(s.Read("b") == Items{{1, "b1"}});
  }
  SECTION("a window of 10 keeps what is at most 10 behind the newest") {
    s.store->SetLogWindow(10);
    CHECK(s.Read("a") == Items{{30, "a30"}, {20, "a20"}});
    s.Append("a", {{45, "a45"}});
    CHECK(s.Read("a") == Items{{45, "a45"}});
    REQUIRE(s.store->Flush().ok());
    REQUIRE(s.store->CompactAll().ok());
    s.store->SetLogWindow(0);  // what compaction wrote stays trimmed
    CHECK(s.Read("a") == Items{{45, "a45"}});
  }
  SECTION("a deletion ends the log; appends after it start a new one") {
    StateBatch b;
    b.DeleteRange(Cf::kTimeline, "a", "a\x01");
    b.Merge(Cf::kTimeline, "a", Log({{99, "after"}}));
    REQUIRE(s.store->Write(b).ok());
    CHECK(s.Read("a") == Items{{99, "after"}});
  }
}

TEST_CASE("a damaged piece loses its broken tail, not the log or the read",
          "[store][log]") {
  LogStore s;
  s.Append("a", {{1, "one"}});
  std::string broken = Log({{2, "two"}, {3, "three"}});
  broken.resize(broken.size() - 2);
  StateBatch b;
  b.Merge(Cf::kTimeline, "a", broken);
  REQUIRE(s.store->Write(b).ok());
  s.Append("a", {{4, "four"}});
  CHECK(s.Read("a") == Items{{1, "one"}, {2, "two"}, {4, "four"}});
  REQUIRE(s.store->Flush().ok());
  REQUIRE(s.store->CompactAll().ok());
  CHECK(s.Read("a") == Items{{1, "one"}, {2, "two"}, {4, "four"}});
}

TEST_CASE("a read of a log with an append in flight waits for the write",
          "[store][log]") {
  LogStore s;
  s.Append("a", {{1, "one"}});
  StateBatch b;
  b.Merge(Cf::kTimeline, "a", Log({{2, "two"}}));
  s.store->HoldWrites(true);
  s.store->WriteAsync(b);
  // Held: the merge is not in RocksDB yet, and a read must not take the
  // operand alone for the value.
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    s.store->HoldWrites(false);
  });
  CHECK(s.Read("a") == Items{{1, "one"}, {2, "two"}});
  release.join();
  REQUIRE(s.store->Await().ok());
}

TEST_CASE("only a windowed-log family takes merges", "[store][log]") {
  LogStore s;
  StateBatch b;
  b.Merge(Cf::kProfiles, "cus_1", Log({{1, "x"}}));
  auto written = s.store->Write(b);
  CHECK(absl::IsInvalidArgument(written));
  CHECK(!s.store->Get(Cf::kProfiles, "cus_1")->has_value());
}
