#include "src/store/state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/common/hash.h"
#include "src/common/status.h"
#include "src/common/worker.h"
#include "src/store/aside_files.h"
#include "src/store/families.h"

namespace custhub::store {
namespace {

constexpr const char* kCfNames[kCfCount] = {
    "profiles", "ledgers", "identifiers", "offsets",  "seen",
    "outbox",   "meta",    "timeline",    "triggers", "rules"};

// The column families whose contents are customer state, in digest order.
constexpr Cf kDigestCfs[] = {Cf::kProfiles, Cf::kLedgers, Cf::kIdentifiers};

// The families whose values live in files beside RocksDB (aside_files.h).
constexpr bool HoldsAside(Cf cf) { return cf == Cf::kOutbox; }

// RocksDB counts every operation into thread-local perf counters unless
// the thread says not to (default: kEnableCount); custhub never reads them,
// and each count is a call into the library's TLS (__tls_get_addr ~2% of
// the engine's samples). Once per thread that reads or writes.
void StopPerfCounting() {
  thread_local bool stopped = false;
  if (stopped) return;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  stopped = true;
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(context, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(msg);
  if (s.IsIOError()) return absl::UnavailableError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsBusy() || s.IsTryAgain()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

}  // namespace

const char* CfName(Cf cf) { return kCfNames[static_cast<int>(cf)]; }

std::string EncodeBigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

uint64_t DecodeBigEndian64(absl::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return v;
}

std::string OffsetKey(absl::string_view topic, int32_t partition) {
  std::string key(topic);
  key.push_back('\0');
  uint32_t p = static_cast<uint32_t>(partition);
  for (int shift = 24; shift >= 0; shift -= 8) {
    key.push_back(static_cast<char>((p >> shift) & 0xff));
  }
  return key;
}

// ---- StateBatch
// ---------------------------------------------------------------

StateBatch::StateBatch() = default;
StateBatch::~StateBatch() = default;

void StateBatch::Add(Cf cf, Kind kind, absl::string_view key,
                     absl::string_view value) {
  if (ops_.empty()) {
    ops_.reserve(1024);
    data_.reserve(256 << 10);
  }
  ops_.push_back({cf, kind, static_cast<uint32_t>(key.size()),
                  static_cast<uint32_t>(value.size()), data_.size()});
  data_.append(key.data(), key.size());
  data_.append(value.data(), value.size());
  bytes_ += key.size() + value.size();
}

void StateBatch::Put(Cf cf, absl::string_view key, absl::string_view value) {
  Add(cf, Kind::kPut, key, value);
}

void StateBatch::PutReferenced(Cf cf, absl::string_view key,
                               absl::string_view value) {
  Add(cf, Kind::kPut, key, {});
  ops_.back().value_size = static_cast<uint32_t>(value.size());
  ops_.back().referenced = value.data();
  bytes_ += value.size();
}

void StateBatch::Delete(Cf cf, absl::string_view key) {
  Add(cf, Kind::kDelete, key, {});
}

void StateBatch::Merge(Cf cf, absl::string_view key, absl::string_view items) {
  Add(cf, Kind::kMerge, key, items);
}

void StateBatch::DeleteRange(Cf cf, absl::string_view begin,
                             absl::string_view end) {
  Add(cf, Kind::kDeleteRange, begin, end);
}

void StateBatch::PutOffset(absl::string_view topic, int32_t partition,
                           int64_t next_offset) {
  Put(Cf::kOffsets, OffsetKey(topic, partition),
      EncodeBigEndian64(static_cast<uint64_t>(next_offset)));
}

size_t StateBatch::Count() const { return ops_.size(); }
size_t StateBatch::ByteSize() const { return bytes_; }
void StateBatch::Clear() {
  ops_.clear();
  data_.clear();
  bytes_ = 0;
}

// ---- StateStore
// ---------------------------------------------------------------

absl::StatusOr<std::unique_ptr<StateStore>> StateStore::Open(
    const StoreOptions& options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("--state-dir: no directory given");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--state-dir: cannot create ", options.path, ": ", ec.message()));
  }
  std::unique_ptr<StateStore> store(new StateStore());
  store->options_ = options;
  store->path_ = options.path;
  store->sync_ = options.sync;
  store->aside_from_ = options.aside_from_bytes;
  store->seen_expiry_ = std::make_shared<std::atomic<int64_t>>(INT64_MIN);
  store->trigger_expiry_ = std::make_shared<std::atomic<int64_t>>(INT64_MIN);
  if (auto s = store->OpenDb(); !s.ok()) return s;
  store->aside_ = std::make_unique<AsideFiles>(options.path + "/aside");
  if (auto s = store->aside_->Create(); !s.ok()) return s;
  if (auto s = store->RemoveAsideOrphans(); !s.ok()) return s;
  return store;
}

absl::Status StateStore::RemoveAsideOrphans() {
  absl::flat_hash_set<std::string> named;
  for (int i = 0; i < kCfCount; ++i) {
    if (!HoldsAside(static_cast<Cf>(i))) continue;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), handles_[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string name = AsideFiles::NameOf(
          absl::string_view(it->value().data(), it->value().size()));
      if (!name.empty()) named.insert(std::move(name));
    }
    CUSTHUB_RETURN_IF_ERROR(FromRocks(it->status(), "scan outbox"));
  }
  aside_->RemoveExcept(named);
  return absl::OkStatus();
}

absl::Status StateStore::OpenDb() {
  rocksdb::DBOptions db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.enable_pipelined_write = true;
  db.max_background_jobs = 2;
  db.bytes_per_sync = 1 << 20;
  db.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db.keep_log_file_num = 3;
  // Ten families with 64 MiB memtables each could hold 1.3 GiB before any
  // flush; cap them together and
  // let RocksDB flush the largest when the sum is reached.
  db.db_write_buffer_size = 4 * options_.write_buffer_bytes;
  auto cfs = Families(
      options_, rocksdb::NewLRUCache(options_.block_cache_bytes), log_window_);
  // The filter objects must outlive the DB: the store owns them.
  auto seen_filter = std::make_shared<ExpiryFilter>(
      seen_expiry_, ExpiryFilter::TimeIn::kValue, "custhub.SeenExpiry");
  cfs[1 + static_cast<int>(Cf::kSeen)].options.compaction_filter =
      seen_filter.get();
  auto trigger_filter = std::make_shared<ExpiryFilter>(
      trigger_expiry_, ExpiryFilter::TimeIn::kKeyBeforeHash,
      "custhub.TriggerExpiry");
  cfs[1 + static_cast<int>(Cf::kTriggers)].options.compaction_filter =
      trigger_filter.get();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db, options_.path, cfs, &handles, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("open ", options_.path));
  db_.reset(raw);
  filters_ = {std::move(seen_filter), std::move(trigger_filter)};
  // handles[0] is the default family, which custhub does not use.
  db_->DestroyColumnFamilyHandle(handles[0]).PermitUncheckedError();
  handles_.assign(handles.begin() + 1, handles.end());
  return absl::OkStatus();
}

void StateStore::CloseDb() {
  if (!db_) return;
  for (auto* h : handles_) {
    // Closing: a failure to free a handle leaves nothing to recover.
    db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  }
  handles_.clear();
  db_->Close().PermitUncheckedError();
  db_.reset();
}

absl::Status StateStore::Scrub() {
  if (!secondary_dir_.empty()) {
    return absl::FailedPreconditionError("a reader cannot scrub");
  }
  if (auto s = Flush(); !s.ok()) return s;
  if (auto s = CompactAll(); !s.ok()) return s;
  // The MANIFEST keeps the key range of every file it ever listed; reopening
  // writes a fresh one that names only the live files. Readers on other
  // threads (the HTTP API) wait meanwhile.
  std::unique_lock<std::shared_mutex> lock(db_mu_);
  CloseDb();
  return OpenDb();
}

absl::StatusOr<std::unique_ptr<StateStore>> StateStore::OpenReader(
    const std::string& path) {
  if (!std::filesystem::exists(std::filesystem::path(path) / "CURRENT")) {
    return absl::NotFoundError(
        absl::StrCat("--state-dir: no custhub state in ", path));
  }
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "custhub-reader-XXXXXX")
          .string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError("cannot create a temporary directory");
  }
  StoreOptions defaults;
  defaults.path = path;
  rocksdb::DBOptions db;
  db.max_open_files = -1;  // required by secondary instances
  db.info_log_level = rocksdb::InfoLogLevel::ERROR_LEVEL;
  std::unique_ptr<StateStore> store(new StateStore());
  auto cfs =
      Families(defaults, rocksdb::NewLRUCache(16 << 20), store->log_window_);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::OpenAsSecondary(db, path, tmpl, cfs, &handles, &raw);
  if (!s.ok()) {
    std::filesystem::remove_all(tmpl);
    return FromRocks(s, absl::StrCat("open ", path, " for reading"));
  }
  store->db_.reset(raw);
  store->path_ = path;
  store->secondary_dir_ = tmpl;
  store->aside_ = std::make_unique<AsideFiles>(path + "/aside");
  store->db_->DestroyColumnFamilyHandle(handles[0]).PermitUncheckedError();
  store->handles_.assign(handles.begin() + 1, handles.end());
  auto caught = store->db_->TryCatchUpWithPrimary();
  if (!caught.ok()) return FromRocks(caught, "catch up with the running hub");
  return store;
}

StateStore::StateStore() = default;

StateStore::~StateStore() {
  Await().IgnoreError();  // a failed write was reported to its caller
  writer_.reset();
  CloseDb();
  if (!secondary_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_dir_, ec);
  }
}

// The batch WriteAsync is writing, indexed for Get: per family, the last
// point write of each key and the range deletes in batch order (timeline
// trims: one per customer, so a family's Gets never walk another's).
struct StateStore::InFlight {
  const StateBatch* batch = nullptr;
  std::array<absl::flat_hash_map<absl::string_view, uint32_t>, kCfCount> last;
  std::array<std::vector<uint32_t>, kCfCount> ranges;

  explicit InFlight(const StateBatch& b) : batch(&b) {
    for (uint32_t i = 0; i < b.ops_.size(); ++i) {
      const StateBatch::Op& op = b.ops_[i];
      if (op.kind == StateBatch::Kind::kDeleteRange) {
        ranges[static_cast<int>(op.cf)].push_back(i);
      } else {
        last[static_cast<int>(op.cf)].insert_or_assign(b.KeyOf(op), i);
      }
    }
  }

  // Whether the batch's last point write of `key` is a merge: its value is
  // known only once the write has landed.
  bool Merges(Cf cf, absl::string_view key) const {
    const auto& index = last[static_cast<int>(cf)];
    auto it = index.find(key);
    return it != index.end() &&
           batch->ops_[it->second].kind == StateBatch::Kind::kMerge;
  }

  // What the batch makes of `key`: nothing (not in it), a deletion
  // (nullopt inside), or a value.
  std::optional<std::optional<absl::string_view>> Lookup(
      Cf cf, absl::string_view key) const {
    const auto& index = last[static_cast<int>(cf)];
    auto it = index.find(key);
    int64_t point = -1;  // the last point write of the key, if any
    if (it != index.end()) point = it->second;
    for (uint32_t r : ranges[static_cast<int>(cf)]) {
      const StateBatch::Op& op = batch->ops_[r];
      if (static_cast<int64_t>(r) > point && key >= batch->KeyOf(op) &&
          key < batch->ValueOf(op)) {
        return std::optional<absl::string_view>();
      }
    }
    if (point < 0) return std::nullopt;
    const StateBatch::Op& op = batch->ops_[point];
    if (op.kind == StateBatch::Kind::kDelete) {
      return std::optional<absl::string_view>();
    }
    return std::optional<absl::string_view>(batch->ValueOf(op));
  }
};

void StateStore::WriteAsync(StateBatch& batch) {
  // Held throughout, so no Await() on another thread drops the index
  // between here and the start of the write.
  std::lock_guard<std::mutex> lock(await_mu_);
  // One write at a time, in order: the one before must have landed.
  bool failed = !AwaitLocked().ok();
  {
    std::unique_lock<std::shared_mutex> l(in_flight_mu_);
    in_flight_ = std::make_unique<InFlight>(batch);
  }
  if (failed) return;  // Await() reports it again
  if (writer_ == nullptr) writer_ = std::make_unique<Worker>();
  writer_->Run([this, &batch] {
    {
      std::unique_lock<std::mutex> hold(hold_mu_);
      hold_cv_.wait(hold, [this] { return !hold_; });
    }
    absl::Status s = WriteNow(batch);
    if (!s.ok()) write_failed_ = s;
  });
}

void StateStore::HoldWrites(bool hold) {
  {
    std::lock_guard<std::mutex> lock(hold_mu_);
    hold_ = hold;
  }
  hold_cv_.notify_all();
}

absl::Status StateStore::Await() {
  std::lock_guard<std::mutex> lock(await_mu_);
  return AwaitLocked();
}

absl::Status StateStore::AwaitLocked() {
  if (writer_ != nullptr) writer_->Wait();
  if (in_flight_ != nullptr) {
    std::unique_lock<std::shared_mutex> l(in_flight_mu_);
    in_flight_.reset();
  }
  return write_failed_;
}

absl::StatusOr<std::optional<std::string>> StateStore::Get(
    Cf cf, absl::string_view key) {
  StopPerfCounting();
  bool land_first = false;
  {
    std::shared_lock<std::shared_mutex> l(in_flight_mu_);
    if (in_flight_ != nullptr) {
      land_first = in_flight_->Merges(cf, key);
      auto hit = land_first ? std::nullopt : in_flight_->Lookup(cf, key);
      if (hit.has_value()) {
        if (!hit->has_value()) return std::optional<std::string>();
        return std::optional<std::string>(std::string(**hit));
      }
    }
  }
  if (land_first) CUSTHUB_RETURN_IF_ERROR(Await());
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), handle(cf),
                    rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, absl::StrCat("read ", CfName(cf)));
  if (HoldsAside(cf) && AsideFiles::IsReference(value)) {
    CUSTHUB_ASSIGN_OR_RETURN(value, aside_->Read(value));
  }
  return std::optional<std::string>(std::move(value));
}

absl::Status StateStore::Resolve(Cf cf, absl::string_view* v,
                                 std::string* holder) const {
  if (!HoldsAside(cf) || !AsideFiles::IsReference(*v)) return absl::OkStatus();
  CUSTHUB_ASSIGN_OR_RETURN(*holder, aside_->Read(*v));
  *v = *holder;
  return absl::OkStatus();
}

struct StateStore::AsideWrite {
  // Op index -> the reference stored instead of its value.
  absl::flat_hash_map<uint32_t, std::string> references;
  // Ops a later op on the same key overrides within the batch.
  absl::flat_hash_set<uint32_t> superseded;
  // Files written for this batch, and those of the values it replaces.
  std::vector<std::string> written, replaced;
};

absl::Status StateStore::PrepareAside(const StateBatch& batch,
                                      AsideWrite* out) {
  // Per key, only the batch's last point operation shows.
  absl::flat_hash_map<std::pair<int, absl::string_view>, uint32_t> last;
  for (uint32_t i = 0; i < batch.ops_.size(); ++i) {
    const StateBatch::Op& op = batch.ops_[i];
    if (!HoldsAside(op.cf)) continue;
    if (op.kind == StateBatch::Kind::kDeleteRange) {
      return absl::FailedPreconditionError(absl::StrCat(
          "range delete in ", CfName(op.cf), ", whose values live in files"));
    }
    auto [it, fresh] =
        last.try_emplace({static_cast<int>(op.cf), batch.KeyOf(op)}, i);
    if (!fresh) {
      out->superseded.insert(it->second);
      it->second = i;
    }
  }
  for (const auto& [cf_key, i] : last) {
    const StateBatch::Op& op = batch.ops_[i];
    absl::string_view key = cf_key.second;
    // Pinned, not copied: an inline value may be a whole batch's outputs.
    rocksdb::PinnableSlice now;
    auto s = db_->Get(rocksdb::ReadOptions(), handle(op.cf),
                      rocksdb::Slice(key.data(), key.size()), &now);
    if (!s.ok() && !s.IsNotFound()) {
      return FromRocks(s, absl::StrCat("read ", CfName(op.cf)));
    }
    if (std::string name = s.ok() ? AsideFiles::NameOf(absl::string_view(
                                        now.data(), now.size()))
                                  : "";
        !name.empty()) {
      out->replaced.push_back(std::move(name));
    }
    if (op.kind != StateBatch::Kind::kPut) continue;
    if (batch.ValueOf(op).size() < aside_from_) continue;  // inline
    CUSTHUB_ASSIGN_OR_RETURN(std::string reference,
                             aside_->Write(batch.ValueOf(op), sync_));
    out->written.push_back(AsideFiles::NameOf(reference));
    out->references[i] = std::move(reference);
  }
  if (sync_ && !out->written.empty()) return aside_->SyncDirectory();
  return absl::OkStatus();
}

absl::Status StateStore::Write(StateBatch& batch) {
  CUSTHUB_RETURN_IF_ERROR(Await());
  return WriteNow(batch);
}

absl::Status StateStore::WriteNow(StateBatch& batch) {
  StopPerfCounting();
  // Memtables are skip lists that remember where the previous insert went:
  // keys in order cost a few comparisons each, keys in hash order a full
  // search (that was ~15% of the engine). So point operations go in key
  // order per family. The sort is stable, so several writes of one key keep
  // their order, and range deletes stay where they were: the sort never
  // moves a point operation across one.
  using Op = StateBatch::Op;
  std::lock_guard<std::mutex> write_lock(write_mu_);
  std::vector<uint32_t>& order = write_order_;
  order.clear();
  for (uint32_t i = 0; i < batch.ops_.size(); ++i) order.push_back(i);
  auto by_key = [&batch](uint32_t a, uint32_t b) {
    const Op& x = batch.ops_[a];
    const Op& y = batch.ops_[b];
    if (x.cf != y.cf) return x.cf < y.cf;
    return batch.KeyOf(x) < batch.KeyOf(y);
  };
  for (auto run = order.begin(); run != order.end();) {
    auto end = std::find_if(run, order.end(), [&batch](uint32_t i) {
      return batch.ops_[i].kind == StateBatch::Kind::kDeleteRange;
    });
    std::stable_sort(run, end, by_key);
    run = end == order.end() ? end : end + 1;
  }
  if (write_batch_ == nullptr) {
    write_batch_ = std::make_unique<rocksdb::WriteBatch>(batch.ByteSize() +
                                                         batch.Count() * 16);
  }
  rocksdb::WriteBatch& wb = *write_batch_;
  wb.Clear();
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  // Files first, the batch that names them after; a failure anywhere takes
  // this batch's files away again, a landed batch those it replaced.
  AsideWrite aside;
  absl::Status status = PrepareAside(batch, &aside);
  for (uint32_t i : order) {
    if (!status.ok()) break;
    const Op* op = &batch.ops_[i];
    absl::string_view k = batch.KeyOf(*op);
    absl::string_view v = batch.ValueOf(*op);
    if (HoldsAside(op->cf)) {
      if (aside.superseded.contains(i)) continue;
      if (auto ref = aside.references.find(i); ref != aside.references.end()) {
        v = ref->second;
      }
    }
    rocksdb::Slice key(k.data(), k.size());
    rocksdb::Slice value(v.data(), v.size());
    rocksdb::Status s;
    switch (op->kind) {
      case StateBatch::Kind::kPut:
        s = wb.Put(handle(op->cf), key, value);
        break;
      case StateBatch::Kind::kDelete:
        s = wb.Delete(handle(op->cf), key);
        break;
      case StateBatch::Kind::kDeleteRange:
        s = wb.DeleteRange(handle(op->cf), key, value);
        break;
      case StateBatch::Kind::kMerge:
        s = HoldsLog(op->cf)
                ? wb.Merge(handle(op->cf), key, value)
                : rocksdb::Status::InvalidArgument("merge into a plain family");
        break;
    }
    status = FromRocks(s, "build batch");
  }
  if (status.ok()) {
    rocksdb::WriteOptions wo;
    wo.sync = sync_;
    status = FromRocks(db_->Write(wo, &wb), "write batch");
  }
  aside_->Remove(status.ok() ? aside.replaced : aside.written);
  return status;
}

absl::Status StateStore::ForEach(
    Cf cf, absl::string_view prefix,
    const std::function<bool(absl::string_view, absl::string_view)>& fn) {
  CUSTHUB_RETURN_IF_ERROR(Await());
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handle(cf)));
  std::string held;  // a value read from its file
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid();
       it->Next()) {
    auto k = it->key();
    if (!k.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
    absl::string_view v(it->value().data(), it->value().size());
    CUSTHUB_RETURN_IF_ERROR(Resolve(cf, &v, &held));
    if (!fn(absl::string_view(k.data(), k.size()), v)) break;
  }
  return FromRocks(it->status(), absl::StrCat("scan ", CfName(cf)));
}

absl::Status StateStore::ForEachReverse(
    Cf cf, absl::string_view prefix,
    const std::function<bool(absl::string_view, absl::string_view)>& fn) {
  CUSTHUB_RETURN_IF_ERROR(Await());
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handle(cf)));
  // The first key after every key with the prefix: the prefix with its last
  // byte below 0xff incremented (trailing 0xff bytes dropped).
  std::string upper(prefix);
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) {
    upper.pop_back();
  }
  if (upper.empty()) {
    it->SeekToLast();
  } else {
    upper.back() =
        static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
    it->Seek(upper);
    if (it->Valid()) {
      it->Prev();
    } else if (it->status().ok()) {
      it->SeekToLast();
    }
  }
  rocksdb::Slice p(prefix.data(), prefix.size());
  std::string held;  // a value read from its file
  for (; it->Valid(); it->Prev()) {
    auto k = it->key();
    if (!k.starts_with(p)) break;
    absl::string_view v(it->value().data(), it->value().size());
    CUSTHUB_RETURN_IF_ERROR(Resolve(cf, &v, &held));
    if (!fn(absl::string_view(k.data(), k.size()), v)) break;
  }
  return FromRocks(it->status(), absl::StrCat("scan ", CfName(cf)));
}

absl::StatusOr<OffsetMap> StateStore::LoadOffsets() {
  OffsetMap out;
  auto s =
      ForEach(Cf::kOffsets, "", [&](absl::string_view k, absl::string_view v) {
        size_t nul = k.find('\0');
        if (nul == absl::string_view::npos || k.size() != nul + 5) return true;
        uint32_t p = 0;
        for (size_t i = nul + 1; i < k.size(); ++i) {
          p = (p << 8) | static_cast<unsigned char>(k[i]);
        }
        out[{std::string(k.substr(0, nul)), static_cast<int32_t>(p)}] =
            static_cast<int64_t>(DecodeBigEndian64(v));
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::string> StateStore::Digest() {
  custhub::Digest digest;
  for (Cf cf : kDigestCfs) {
    digest.Add(CfName(cf));
    auto s = ForEach(cf, "", [&](absl::string_view k, absl::string_view v) {
      digest.Add(k);
      digest.Add(v);
      return true;
    });
    if (!s.ok()) return s;
  }
  return digest.Hex();
}

uint64_t StateStore::DiskBytes() {
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  uint64_t total = 0;
  for (auto* h : handles_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(h, "rocksdb.total-sst-files-size", &v)) total += v;
  }
  uint64_t wal = 0;
  if (db_->GetIntProperty("rocksdb.live-wal-size", &wal))
    total += wal;  // absent in old versions
  return total + aside_->Bytes();
}

uint64_t StateStore::DiskBytes(Cf cf) {
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  uint64_t v = 0;
  db_->GetIntProperty(handle(cf), "rocksdb.total-sst-files-size", &v);
  return HoldsAside(cf) ? v + aside_->Bytes() : v;
}

std::string StateStore::Property(const std::string& name) {
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  std::string v;
  db_->GetProperty(name, &v);
  return v;
}

uint64_t StateStore::WriteStalls() {
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  uint64_t total = 0;
  for (auto* h : handles_) {
    std::map<std::string, std::string> stats;
    if (!db_->GetMapProperty(h, rocksdb::DB::Properties::kCFStats, &stats)) {
      continue;
    }
    for (const char* key :
         {"io_stalls.total_stop", "io_stalls.total_slowdown"}) {
      auto it = stats.find(key);
      uint64_t v = 0;
      if (it != stats.end() && absl::SimpleAtoi(it->second, &v)) total += v;
    }
  }
  return total;
}

void StateStore::SetSeenExpiry(int64_t watermark) {
  if (seen_expiry_) seen_expiry_->store(watermark, std::memory_order_relaxed);
}

void StateStore::SetLogWindow(int64_t window) {
  log_window_->store(window, std::memory_order_relaxed);
}

void StateStore::SetTriggerExpiry(int64_t watermark) {
  if (trigger_expiry_) {
    trigger_expiry_->store(watermark, std::memory_order_relaxed);
  }
}

absl::Status StateStore::CompactAll() {
  CUSTHUB_RETURN_IF_ERROR(Await());
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  for (auto* h : handles_) {
    auto s = db_->CompactRange(o, h, nullptr, nullptr);
    if (!s.ok()) return FromRocks(s, "compact");
  }
  return absl::OkStatus();
}

absl::Status StateStore::CompactFamily(Cf cf) {
  CUSTHUB_RETURN_IF_ERROR(Await());
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  return FromRocks(db_->CompactRange(o, handle(cf), nullptr, nullptr),
                   absl::StrCat("compact ", CfName(cf)));
}

absl::Status StateStore::Flush() {
  CUSTHUB_RETURN_IF_ERROR(Await());
  rocksdb::FlushOptions fo;
  fo.wait = true;
  std::shared_lock<std::shared_mutex> lock(db_mu_);
  return FromRocks(db_->Flush(fo, handles_), "flush");
}

}  // namespace custhub::store
