// The outbox family's values in files beside RocksDB (src/store/aside_files.h):
// read back like any value, gone with their record, never read wrong.
#include "src/store/aside_files.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "src/store/state_store.h"
#include "tests/common/temp_dir.h"

using namespace custhub::store;
using custhub::testing::TempDir;

namespace {

std::unique_ptr<StateStore> OpenOrDie(const std::string& path) {
  auto s = StateStore::Open({.path = path});
  REQUIRE(s.ok());
  return std::move(*s);
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  return names;
}

void Write(StateStore& store, StateBatch& batch) {
  REQUIRE(store.Write(batch).ok());
  batch.Clear();
}

std::string Outbox(StateStore& store, const std::string& key) {
  auto v = store.Get(Cf::kOutbox, key);
  REQUIRE(v.ok());
  return v->value_or("<none>");
}

}  // namespace

TEST_CASE("outbox values live in files and read back like any value",
          "[store]") {
  TempDir dir;
  const std::string aside = dir.path + "/aside";
  std::string big(3 << 20, 'x');
  big[777] = 'y';
  {
    auto store = OpenOrDie(dir.path);
    StateBatch batch;
    batch.PutReferenced(Cf::kOutbox, "a", big);
    batch.Put(Cf::kOutbox, "b", "small");
    batch.Put(Cf::kProfiles, "cus_1", "state");
    Write(*store, batch);
    CHECK(FilesIn(aside).size() == 2);
    CHECK(Outbox(*store, "a") == big);
    std::vector<std::string> scanned, reversed;
    REQUIRE(store
                ->ForEach(Cf::kOutbox, "",
                          [&](absl::string_view, absl::string_view v) {
                            scanned.emplace_back(v);
                            return true;
                          })
                .ok());
    REQUIRE(store
                ->ForEachReverse(Cf::kOutbox, "",
                                 [&](absl::string_view, absl::string_view v) {
                                   reversed.emplace_back(v);
                                   return true;
                                 })
                .ok());
    CHECK(scanned == std::vector<std::string>{big, "small"});
    CHECK(reversed == std::vector<std::string>{"small", big});
    // The family's bytes on disk are its files: RocksDB holds references.
    REQUIRE(store->Flush().ok());
    CHECK(store->DiskBytes(Cf::kOutbox) >= big.size());
    CHECK(store->DiskBytes(Cf::kOutbox) < big.size() + (64 << 10));
  }
  auto store = OpenOrDie(dir.path);
  CHECK(Outbox(*store, "a") == big);
  CHECK(Outbox(*store, "b") == "small");
  CHECK(**store->Get(Cf::kProfiles, "cus_1") == "state");
}

TEST_CASE("an outbox value's file goes once its delete or replacement lands",
          "[store]") {
  TempDir dir;
  const std::string aside = dir.path + "/aside";
  auto store = OpenOrDie(dir.path);
  StateBatch batch;
  batch.Put(Cf::kOutbox, "a", "first");
  Write(*store, batch);
  auto first = FilesIn(aside);
  REQUIRE(first.size() == 1);

  batch.Put(Cf::kOutbox, "a", "second");
  Write(*store, batch);
  auto second = FilesIn(aside);
  REQUIRE(second.size() == 1);
  CHECK(second != first);
  CHECK(Outbox(*store, "a") == "second");

  batch.Delete(Cf::kOutbox, "a");
  Write(*store, batch);
  CHECK(FilesIn(aside).empty());
  CHECK(Outbox(*store, "a") == "<none>");

  // Put and deleted within one batch: no file is written for it.
  batch.Put(Cf::kOutbox, "b", "gone before it landed");
  batch.Delete(Cf::kOutbox, "b");
  batch.Put(Cf::kOutbox, "c", "one");
  batch.Put(Cf::kOutbox, "c", "two");
  Write(*store, batch);
  CHECK(FilesIn(aside).size() == 1);
  CHECK(Outbox(*store, "b") == "<none>");
  CHECK(Outbox(*store, "c") == "two");
}

TEST_CASE("files that no record names are removed at open", "[store]") {
  TempDir dir;
  const std::string aside = dir.path + "/aside";
  {
    auto store = OpenOrDie(dir.path);
    StateBatch batch;
    batch.Put(Cf::kOutbox, "kept", "still named");
    Write(*store, batch);
  }
  // As a crash between a file's write and its batch's would leave it.
  std::ofstream(aside + "/0123456789abcdef-9") << "never landed";
  REQUIRE(FilesIn(aside).size() == 2);
  auto store = OpenOrDie(dir.path);
  CHECK(FilesIn(aside).size() == 1);
  CHECK(Outbox(*store, "kept") == "still named");
}

TEST_CASE("a damaged or missing outbox file is data loss, never a wrong value",
          "[store]") {
  TempDir dir;
  const std::string aside = dir.path + "/aside";
  auto store = OpenOrDie(dir.path);
  StateBatch batch;
  batch.Put(Cf::kOutbox, "a", "the outputs of a batch");
  Write(*store, batch);
  const std::string file = aside + "/" + FilesIn(aside).at(0);
  auto scan = [&] {
    return store->ForEach(
        Cf::kOutbox, "",
        [](absl::string_view, absl::string_view) { return true; });
  };

  SECTION("a byte changed") {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4);
    f.put('X');
  }
  SECTION("cut short") { std::filesystem::resize_file(file, 5); }
  SECTION("gone") { std::filesystem::remove(file); }

  auto got = store->Get(Cf::kOutbox, "a");
  CHECK(absl::IsDataLoss(got.status()));
  CHECK(absl::IsDataLoss(scan()));
}

TEST_CASE("a range delete in the outbox family fails the write", "[store]") {
  TempDir dir;
  auto store = OpenOrDie(dir.path);
  StateBatch batch;
  batch.Put(Cf::kOutbox, "a", "x");
  Write(*store, batch);
  batch.DeleteRange(Cf::kOutbox, "a", "z");
  CHECK(absl::IsFailedPrecondition(store->Write(batch)));
  CHECK(Outbox(*store, "a") == "x");
}

TEST_CASE("only references read as references", "[store]") {
  // What earlier versions stored inline: a batch's entry, one record.
  CHECK_FALSE(AsideFiles::IsReference(std::string("\0B\0\0\0\1x", 7)));
  CHECK_FALSE(AsideFiles::IsReference("\x0a\x06orders"));
  CHECK(AsideFiles::NameOf("\x0a\x06orders").empty());
  TempDir dir;
  AsideFiles real(dir.path);
  auto ref = real.Write("value", /*sync=*/false);
  REQUIRE(ref.ok());
  CHECK(AsideFiles::IsReference(*ref));
  CHECK(FilesIn(dir.path) ==
        std::vector<std::string>{AsideFiles::NameOf(*ref)});
  CHECK(*real.Read(*ref) == "value");
  CHECK(real.RemoveExcept({}) == 1);
  CHECK(FilesIn(dir.path).empty());
}
