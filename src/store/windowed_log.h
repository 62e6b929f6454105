// A windowed log: a value that is a sequence of time-stamped items, one
// record per key however often it grows. Writers append blindly
// (StateBatch::Merge with the items framed by AppendLogItem), RocksDB joins
// the pieces when it reads, flushes or compacts the key, and every join
// drops the items older than a window behind the newest item it sees. The
// customer timeline is one: a record per customer instead of one per batch
// and customer, and no range deletes to trim it (bench/README.md, twelfth
// pass).
//
//   std::string items;
//   AppendLogItem(&items, at_micros, entry_bytes);
//   batch.Merge(Cf::kTimeline, key, items);
//   ...
//   ForEachLogItem(value, [](int64_t at, absl::string_view item) { ... });
//
// Item frame: time (be64, two's complement), size (be32), bytes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace rocksdb {
class MergeOperator;
}  // namespace rocksdb

namespace custhub::store {

void AppendLogItem(std::string* log, int64_t at, absl::string_view item);

// Calls fn(at, item) for each item in the order appended. False when the
// log ends inside a frame (fn has seen every whole item before it).
bool ForEachLogItem(absl::string_view log,
                    const std::function<void(int64_t, absl::string_view)>& fn);

// The merge operator of a windowed log family: concatenates the pieces and
// keeps the items no older than `*window` behind the newest (a window <= 0
// keeps everything). Trimming only ever drops what a later join would drop
// too, so partial joins are safe. A damaged piece keeps its whole items
// and loses the rest: a join never fails, so neither do reads or
// compactions.
std::shared_ptr<rocksdb::MergeOperator> NewWindowedLogOperator(
    std::shared_ptr<const std::atomic<int64_t>> window);

}  // namespace custhub::store
