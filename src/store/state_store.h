// custhub's durable state: one RocksDB with a column family per kind of
// record. Every poll batch lands as ONE atomic StateBatch holding customer
// state, ledgers, identifiers, consumed offsets and outbox records together,
// which is what makes state exactly-once across crashes.
//
//   auto store = StateStore::Open({.path = "/var/lib/custhub"});
//   StateBatch batch;
//   batch.Put(Cf::kProfiles, "cus_1", bytes);
//   batch.PutOffset("orders", 3, 1042);
//   CUSTHUB_RETURN_IF_ERROR((*store)->Write(batch));
//
// Lifecycle: Open() once per process; the read-write instance holds the
// directory's lock. OpenReader() opens a secondary instance that works
// beside a running hub (profile get, digest). Thread-safety: Get/Write/
// ForEach/ForEachReverse and the size accessors may be called from any
// thread, also while Scrub() reopens the database (a shared lock guards
// them; Scrub takes it exclusively). A StateBatch belongs to one thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace custhub {
class Worker;
}  // namespace custhub

namespace custhub::store {

class AsideFiles;

// Column families. Their names are part of the on-disk format.
enum class Cf : int {
  kProfiles = 0,  // customer id -> CustomerState
  kLedgers = 1,   // "o|source|order id" / "t|source|ticket id" -> ledger entry
  kIdentifiers = 2,  // "email:a@b.com" / "phone:+1..." / "shopify:123" -> id
  kOffsets = 3,      // topic \0 partition(be32) -> next offset (be64)
  kSeen = 4,         // event id -> event time (be64), for dedup
  kOutbox = 5,       // sequence (be64) -> a batch's outputs, in a file aside
  kMeta = 6,         // format version and counters
  kTimeline = 7,     // customer \0 -> windowed log of timeline entries
  kTriggers = 8,     // customer \0 time(be64) hash(be64) -> Trigger
  kRules = 9,        // customer id -> RulesState (trigger bookkeeping)
};
inline constexpr int kCfCount = 10;

const char* CfName(Cf cf);

struct StoreOptions {
  // Directory of the RocksDB. Required.
  std::string path;
  // fsync the WAL on every batch, so a committed batch survives a machine
  // crash, not only a process crash. Default: true.
  bool sync = true;
  // Block cache for reads. Default: 128 MiB.
  size_t block_cache_bytes = 128 << 20;
  // Memtable size per column family. Default: 64 MiB.
  size_t write_buffer_bytes = 64 << 20;
  // Outbox values from this size on live in files beside RocksDB
  // (aside_files.h), out of the WAL and the memtables; smaller ones are
  // written like any value, so a small batch waits for one fsync (the
  // WAL's) instead of three (its file, the directory, the WAL). 0: every
  // value. Default: 1 MiB (a batch of ~800 records).
  size_t aside_from_bytes = 1 << 20;
};

// Everything one poll batch changes, applied atomically by Write().
class StateBatch {
 public:
  StateBatch();
  ~StateBatch();
  StateBatch(const StateBatch&) = delete;
  StateBatch& operator=(const StateBatch&) = delete;

  void Put(Cf cf, absl::string_view key, absl::string_view value);
  // As Put, but the batch keeps a pointer to `value` instead of a copy: its
  // bytes must stay where they are until the write of this batch is done
  // (Write returned, or Await after WriteAsync). For a batch's one large
  // value (the outbox entry: tens of MiB), written once, to its file.
  void PutReferenced(Cf cf, absl::string_view key, absl::string_view value);
  void Delete(Cf cf, absl::string_view key);
  // Appends `items` (windowed_log.h frames) to the windowed log under `key`
  // in a family that holds windowed logs (HoldsLog).
  void Merge(Cf cf, absl::string_view key, absl::string_view items);
  // Records that `next_offset` is the next record to read from a partition.
  void PutOffset(absl::string_view topic, int32_t partition,
                 int64_t next_offset);
  // Deletes every key in [begin, end).
  void DeleteRange(Cf cf, absl::string_view begin, absl::string_view end);
  size_t Count() const;
  size_t ByteSize() const;
  void Clear();

 private:
  friend class StateStore;
  // Deferred so the column-family handles are bound at Write() time. Keys
  // and values live in one buffer: a batch holds ~100k records, and a pair
  // of strings each cost two allocations and a copy on every vector growth.
  enum class Kind : uint8_t { kPut, kDelete, kDeleteRange, kMerge };
  struct Op {
    Cf cf;
    Kind kind;
    uint32_t key_size;
    uint32_t value_size;  // for a range delete: the end key
    size_t offset;        // of the key in data_; the value follows it
    // The value's bytes outside data_ (PutReferenced), else null.
    const char* referenced = nullptr;
  };
  void Add(Cf cf, Kind kind, absl::string_view key, absl::string_view value);
  absl::string_view KeyOf(const Op& op) const {
    return absl::string_view(data_.data() + op.offset, op.key_size);
  }
  absl::string_view ValueOf(const Op& op) const {
    if (op.referenced != nullptr) {
      return absl::string_view(op.referenced, op.value_size);
    }
    return absl::string_view(data_.data() + op.offset + op.key_size,
                             op.value_size);
  }
  std::vector<Op> ops_;
  std::string data_;
  size_t bytes_ = 0;
};

using OffsetMap = std::map<std::pair<std::string, int32_t>, int64_t>;

class StateStore {
 public:
  // Opens or creates the state directory for reading and writing.
  static absl::StatusOr<std::unique_ptr<StateStore>> Open(
      const StoreOptions& options);
  // Opens an existing state directory read-only beside a running hub
  // (RocksDB secondary instance). NotFound if there is no state there.
  static absl::StatusOr<std::unique_ptr<StateStore>> OpenReader(
      const std::string& path);
  ~StateStore();

  // Reads one record; while a WriteAsync is running, as if it had landed.
  absl::StatusOr<std::optional<std::string>> Get(Cf cf, absl::string_view key);
  absl::Status Write(StateBatch& batch);
  // Starts writing `batch` on the store's writer thread and returns at
  // once, so the caller can fold the next batch meanwhile. `batch` must stay
  // untouched until Await(). Get() reads through it; every other call waits
  // for the write first. A failed write fails every later write too: the
  // caller's state went ahead of the store, so it must start over.
  void WriteAsync(StateBatch& batch);
  // Waits for the write WriteAsync started (OK when there is none).
  absl::Status Await();
  // Tests: while held, the writes WriteAsync starts wait before they touch
  // RocksDB, so every read must go through the batch in flight. Release
  // before anything that waits for the write.
  void HoldWrites(bool hold);

  // Calls fn(key, value) for each record whose key starts with `prefix`, in
  // key order, until fn returns false.
  absl::Status ForEach(
      Cf cf, absl::string_view prefix,
      const std::function<bool(absl::string_view, absl::string_view)>& fn);

  // As ForEach, newest key first: from the last key with `prefix` down to
  // the first (e.g. a customer's timeline, newest event first).
  absl::Status ForEachReverse(
      Cf cf, absl::string_view prefix,
      const std::function<bool(absl::string_view, absl::string_view)>& fn);

  absl::StatusOr<OffsetMap> LoadOffsets();

  // Deterministic digest of all customer state: same events in the same
  // per-partition order give the same digest, whatever the batching.
  absl::StatusOr<std::string> Digest();

  // Approximate bytes on disk (SST, WAL and the outbox's files).
  uint64_t DiskBytes();
  // One family's bytes on disk: its SST files (and the outbox's files).
  uint64_t DiskBytes(Cf cf);
  // RocksDB's property `name` for the default family, e.g. "rocksdb.stats".
  std::string Property(const std::string& name);
  // Write stalls so far (slowdowns and stops, every family), from RocksDB's
  // "rocksdb.cfstats" map property.
  uint64_t WriteStalls();
  // Forces memtables to disk (for size measurements and tests).
  absl::Status Flush();
  // Compacts everything (tests: proves expired seen ids are dropped).
  absl::Status CompactAll();
  // Flushes and compacts one family down to its last level, so what was
  // deleted there is gone from disk (the outbox after an erasure's outputs,
  // which name the customer, were delivered).
  absl::Status CompactFamily(Cf cf);
  // Makes deleted records unreadable on disk: flushes, compacts every
  // family and starts a fresh MANIFEST (which otherwise keeps old files' key
  // ranges). For erasure; costs a reopen.
  absl::Status Scrub();

  // Seen event ids whose stored time is below `watermark` are expired: the
  // seen family's compaction filter drops them, so the dedup window costs
  // no scans. Callers treat an expired id found before compaction as absent.
  void SetSeenExpiry(int64_t watermark);
  // Likewise for stored triggers (Cf::kTriggers) fired before `watermark`:
  // the triggers family's compaction filter drops them.
  void SetTriggerExpiry(int64_t watermark);
  // How far behind its newest item a windowed log (Cf::kTimeline) keeps
  // items; <= 0 (the default) keeps them all.
  void SetLogWindow(int64_t window);

  const std::string& path() const { return path_; }

 private:
  StateStore();
  // Write() once any WriteAsync has landed.
  absl::Status WriteNow(StateBatch& batch);
  absl::Status AwaitLocked();  // Await() with await_mu_ held
  absl::Status OpenDb();
  void CloseDb();
  // The outbox family's values live in files of their own (aside_files.h).
  // PrepareAside writes the batch's, and lists the files of the values it
  // replaces or deletes, to go once the batch has landed.
  struct AsideWrite;
  absl::Status PrepareAside(const StateBatch& batch, AsideWrite* out);
  // The value itself where `*v` is a reference to a file (read into
  // `*holder`).
  absl::Status Resolve(Cf cf, absl::string_view* v, std::string* holder) const;
  // Files a crash left that no record names.
  absl::Status RemoveAsideOrphans();
  rocksdb::ColumnFamilyHandle* handle(Cf cf) const {
    return handles_[static_cast<int>(cf)];
  }

  StoreOptions options_;
  std::string path_;
  std::string secondary_dir_;  // removed on close, for readers
  bool sync_ = true;
  size_t aside_from_ = 0;
  std::shared_ptr<std::atomic<int64_t>> seen_expiry_, trigger_expiry_;
  std::shared_ptr<std::atomic<int64_t>> log_window_ =
      std::make_shared<std::atomic<int64_t>>(0);
  std::vector<std::shared_ptr<void>> filters_;  // compaction filters, alive
  // Shared by every use of db_, exclusive while Scrub() closes and reopens.
  mutable std::shared_mutex db_mu_;
  // Write()'s RocksDB batch and key order, reused so their buffers keep
  // their capacity between batches (fresh ones cost page faults on tens of
  // MiB per batch).
  std::mutex write_mu_;
  std::unique_ptr<rocksdb::WriteBatch> write_batch_;
  std::vector<uint32_t> write_order_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<AsideFiles> aside_;
  // WriteAsync: the writer thread, the batch it is writing with an index of
  // its keys (Get reads it), and the first failure, which sticks.
  struct InFlight;
  std::unique_ptr<Worker> writer_;
  std::mutex await_mu_;
  std::shared_mutex in_flight_mu_;
  std::unique_ptr<InFlight> in_flight_;
  absl::Status write_failed_;
  std::mutex hold_mu_;
  std::condition_variable hold_cv_;
  bool hold_ = false;
};

// Key and value encodings shared with callers.
std::string OffsetKey(absl::string_view topic, int32_t partition);
std::string EncodeBigEndian64(uint64_t v);
uint64_t DecodeBigEndian64(absl::string_view bytes);

}  // namespace custhub::store
