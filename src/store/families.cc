#include "src/store/families.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include "src/store/windowed_log.h"

namespace custhub::store {
namespace {

rocksdb::ColumnFamilyOptions CfOptions(const StoreOptions& o,
                                       std::shared_ptr<rocksdb::Cache> cache) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = o.write_buffer_bytes;
  // State is small records with much in common (ids, field tags, JSON
  // keys): zstd on every level and 16 KiB blocks roughly halve it against
  // lz4 on 4 KiB blocks. Only flushes and compactions pay, off the poll
  // thread.
  cf.compression = rocksdb::kZSTD;
  cf.bottommost_compression = rocksdb::kZSTD;
  cf.bottommost_compression_opts.enabled = true;
  cf.bottommost_compression_opts.max_dict_bytes = 16 << 10;
  cf.bottommost_compression_opts.zstd_max_train_bytes = 100 * (16 << 10);
  cf.bottommost_compression_opts.level = 6;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 16 << 10;
  table.block_cache = std::move(cache);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  // Filters and indexes are charged to the block cache but pinned there:
  // every event asks the seen family's filters, and a filter evicted by
  // data blocks was read back (and checksummed) on each lookup, a third
  // of the poll thread at 1M records (bench/README.md, eighth pass).
  table.cache_index_and_filter_blocks = true;
  table.metadata_cache_options.unpartitioned_pinning =
      rocksdb::PinningTier::kAll;
  table.format_version = 5;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.level_compaction_dynamic_level_bytes = true;
  // Most point reads miss (new event ids, new identifiers): a memtable
  // bloom filter answers them without a skip list search.
  cf.memtable_prefix_bloom_size_ratio = 0.02;
  cf.memtable_whole_key_filtering = true;
  return cf;
}

}  // namespace

std::vector<rocksdb::ColumnFamilyDescriptor> Families(
    const StoreOptions& o, const std::shared_ptr<rocksdb::Cache>& cache,
    const std::shared_ptr<std::atomic<int64_t>>& log_window) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  cfs.emplace_back(rocksdb::kDefaultColumnFamilyName, CfOptions(o, cache));
  for (int i = 0; i < kCfCount; ++i) {
    cfs.emplace_back(CfName(static_cast<Cf>(i)), CfOptions(o, cache));
    if (HoldsLog(static_cast<Cf>(i))) {
      cfs.back().options.merge_operator = NewWindowedLogOperator(log_window);
    }
  }
  return cfs;
}

bool ExpiryFilter::Filter(int, const rocksdb::Slice& key,
                          const rocksdb::Slice& value, std::string*,
                          bool*) const {
  const rocksdb::Slice& holder = where_ == TimeIn::kValue ? value : key;
  if (where_ == TimeIn::kValue ? holder.size() != 8 : holder.size() < 17) {
    return false;
  }
  size_t at_offset = where_ == TimeIn::kValue ? 0 : holder.size() - 16;
  auto at = static_cast<int64_t>(
      DecodeBigEndian64(absl::string_view(holder.data() + at_offset, 8)));
  return at < watermark_->load(std::memory_order_relaxed);
}

}  // namespace custhub::store
