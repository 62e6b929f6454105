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

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  return names;
}

// A store in a fresh directory, a batch to fill, and the outbox's files.
struct OutboxStore {
  TempDir dir;
  std::unique_ptr<StateStore> store;
  StateBatch batch;

  // Every outbox value in a file, unless `aside_from` says from which size.
  explicit OutboxStore(size_t aside_from = 0) : aside_from(aside_from) {
    Reopen();
  }
  size_t aside_from;
  void Reopen() {
    store.reset();
    auto opened =
        StateStore::Open({.path = dir.path, .aside_from_bytes = aside_from});
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }
  void Write() {
    REQUIRE(store->Write(batch).ok());
    batch.Clear();
  }
  std::string Get(const std::string& key) {
    auto v = store->Get(Cf::kOutbox, key);
    REQUIRE(v.ok());
    return v->value_or("<none>");
  }
  std::string AsideDir() const { return dir.path + "/aside"; }
  std::vector<std::string> Files() const { return FilesIn(AsideDir()); }
};

}  // namespace

TEST_CASE("outbox values live in files and read back like any value",
          "[store]") {
  OutboxStore s;
  std::string big(3 << 20, 'x');
  big[777] = 'y';
  s.batch.PutReferenced(Cf::kOutbox, "a", big);
  s.batch.Put(Cf::kOutbox, "b", "small");
  s.batch.Put(Cf::kProfiles, "cus_1", "state");
  s.Write();
  CHECK(s.Files().size() == 2);
  CHECK(s.Get("a") == big);
  std::vector<std::string> scanned, reversed;
  auto into = [](std::vector<std::string>* out) {
    return [out](absl::string_view, absl::string_view v) {
      out->emplace_back(v);
      return true;
    };
  };
  REQUIRE(s.store->ForEach(Cf::kOutbox, "", into(&scanned)).ok());
  REQUIRE(s.store->ForEachReverse(Cf::kOutbox, "", into(&reversed)).ok());
  CHECK(scanned == std::vector<std::string>{big, "small"});
  CHECK(reversed == std::vector<std::string>{"small", big});
  // The family's bytes on disk are its files: RocksDB holds references.
  REQUIRE(s.store->Flush().ok());
  CHECK(s.store->DiskBytes(Cf::kOutbox) >= big.size());
  CHECK(s.store->DiskBytes(Cf::kOutbox) < big.size() + (64 << 10));

  s.Reopen();
  CHECK(s.Get("a") == big);
  CHECK(s.Get("b") == "small");
  CHECK(**s.store->Get(Cf::kProfiles, "cus_1") == "state");
}

TEST_CASE("an outbox value's file goes once its delete or replacement lands",
          "[store]") {
  OutboxStore s;
  s.batch.Put(Cf::kOutbox, "a", "first");
  s.Write();
  auto first = s.Files();
  REQUIRE(first.size() == 1);

  s.batch.Put(Cf::kOutbox, "a", "second");
  s.Write();
  auto second = s.Files();
  REQUIRE(second.size() == 1);
  CHECK(second != first);
  CHECK(s.Get("a") == "second");

  s.batch.Delete(Cf::kOutbox, "a");
  s.Write();
  CHECK(s.Files().empty());
  CHECK(s.Get("a") == "<none>");

  // Put and deleted within one batch: no file is written for it.
  s.batch.Put(Cf::kOutbox, "b", "gone before it landed");
  s.batch.Delete(Cf::kOutbox, "b");
  s.batch.Put(Cf::kOutbox, "c", "one");
  s.batch.Put(Cf::kOutbox, "c", "two");
  s.Write();
  CHECK(s.Files().size() == 1);
  CHECK(s.Get("b") == "<none>");
  CHECK(s.Get("c") == "two");
}

TEST_CASE("files that no record names are removed at open", "[store]") {
  OutboxStore s;
  s.batch.Put(Cf::kOutbox, "kept", "still named");
  s.Write();
  // As a crash between a file's write and its batch's would leave it.
  std::ofstream(s.AsideDir() + "/0123456789abcdef-9") << "never landed";
  REQUIRE(s.Files().size() == 2);
  s.Reopen();
  CHECK(s.Files().size() == 1);
  CHECK(s.Get("kept") == "still named");
}

TEST_CASE("a damaged or missing outbox file is data loss, never a wrong value",
          "[store]") {
  OutboxStore s;
  s.batch.Put(Cf::kOutbox, "a", "the outputs of a batch");
  s.Write();
  const std::string file = s.AsideDir() + "/" + s.Files().at(0);

  SECTION("a byte changed") {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4);
    f.put('X');
  }
  SECTION("cut short") { std::filesystem::resize_file(file, 5); }
  SECTION("gone") { std::filesystem::remove(file); }

  CHECK(absl::IsDataLoss(s.store->Get(Cf::kOutbox, "a").status()));
  CHECK(absl::IsDataLoss(s.store->ForEach(
      Cf::kOutbox, "",
      [](absl::string_view, absl::string_view) { return true; })));
}

TEST_CASE("a range delete in the outbox family fails the write", "[store]") {
  OutboxStore s;
  s.batch.Put(Cf::kOutbox, "a", "x");
  s.Write();
  s.batch.DeleteRange(Cf::kOutbox, "a", "z");
  CHECK(absl::IsFailedPrecondition(s.store->Write(s.batch)));
  CHECK(s.Get("a") == "x");
}

TEST_CASE("only references read as references", "[store]") {
  // What earlier versions stored inline: a batch's entry, one record.
  CHECK_FALSE(AsideFiles::IsReference(std::string("\0B\0\0\0\1x", 7)));
  CHECK_FALSE(AsideFiles::IsReference("\x0a\x06orders"));
  CHECK(AsideFiles::NameOf("\x0a\x06orders").empty());
  TempDir dir;
  AsideFiles files(dir.path);
  auto ref = files.Write("value", /*sync=*/false);
  REQUIRE(ref.ok());
  CHECK(AsideFiles::IsReference(*ref));
  CHECK(FilesIn(dir.path) ==
        std::vector<std::string>{AsideFiles::NameOf(*ref)});
  CHECK(*files.Read(*ref) == "value");
  CHECK(files.RemoveExcept({}) == 1);
  CHECK(FilesIn(dir.path).empty());
}

TEST_CASE(
    "outbox values under the threshold stay in RocksDB, larger ones go aside",
    "[store]") {
  OutboxStore s(/*aside_from=*/100);
  std::string small(99, 's'), large(100, 'l');
  s.batch.Put(Cf::kOutbox, "a", small);
  s.batch.Put(Cf::kOutbox, "b", large);
  s.Write();
  CHECK(s.Files().size() == 1);  // `large` only
  CHECK(s.Get("a") == small);
  CHECK(s.Get("b") == large);
  // A small value replacing a large one takes its file away.
  s.batch.Put(Cf::kOutbox, "b", small);
  s.Write();
  CHECK(s.Files().empty());
  s.Reopen();
  CHECK(s.Get("a") == small);
  CHECK(s.Get("b") == small);
}
