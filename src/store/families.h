// The column families' RocksDB options, inside src/store only: zstd tables
// with pinned filters for every family, the windowed-log merge operator of
// the timeline family, and the compaction filter that drops expired seen
// ids and triggers.
//
//   auto cfs = Families(options, rocksdb::NewLRUCache(bytes), log_window);
//   cfs[1 + static_cast<int>(Cf::kSeen)].options.compaction_filter = filter;
//   rocksdb::DB::Open(db_options, path, cfs, &handles, &db);
#pragma once

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/store/state_store.h"

namespace custhub::store {

// The families whose values are windowed logs (windowed_log.h).
constexpr bool HoldsLog(Cf cf) { return cf == Cf::kTimeline; }

// Every family's descriptor, [0] being RocksDB's default family; windowed
// logs keep what lies within `*log_window` of their newest item.
std::vector<rocksdb::ColumnFamilyDescriptor> Families(
    const StoreOptions& o, const std::shared_ptr<rocksdb::Cache>& cache,
    const std::shared_ptr<std::atomic<int64_t>>& log_window);

// Drops records whose event time is below a watermark the processor moves:
// seen event ids past the dedup window (the value is the be64 time) and
// triggers past their retention (the key ends in be64 time, be64 hash).
class ExpiryFilter : public rocksdb::CompactionFilter {
 public:
  enum class TimeIn { kValue, kKeyBeforeHash };
  ExpiryFilter(std::shared_ptr<std::atomic<int64_t>> watermark, TimeIn where,
               const char* name)
      : watermark_(std::move(watermark)), where_(where), name_(name) {}
  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice& value,
              std::string*, bool*) const override;
  const char* Name() const override { return name_; }

 private:
  std::shared_ptr<std::atomic<int64_t>> watermark_;
  TimeIn where_;
  const char* name_;
};

}  // namespace custhub::store
