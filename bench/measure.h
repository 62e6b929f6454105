// The benchmark's measurements, each on its own and in one process: raw
// librdkafka consumption, raw RocksDB batch writes, the hub end to end, the
// decode+fold+store engine without Kafka, end-to-end latency under a paced
// load, and the state's size on disk.
//
//   auto consume = MeasureRawConsume(cluster, produced);
//   auto hub = RunHubUntil(*hub, produced, /*timeout_s=*/600);
//   double ratio = hub->RecordsPerSecond() / consume->RecordsPerSecond();
//
// Thread-safety: each call runs on the caller's thread (MeasureLatency also
// starts a producer thread and joins it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/workload.h"
#include "src/store/state_store.h"
#include "src/synth/synthetic_store.h"
#include "streams/hub.h"

namespace custhub::bench {

// What one measurement got through, and in how long.
struct Rate {
  int64_t records = 0;  // records (webhook deliveries), or keys written
  int64_t events = 0;   // events folded (a SendGrid record carries several)
  double seconds = 0;
  double RecordsPerSecond() const {
    return seconds > 0 ? records / seconds : 0;
  }
  double EventsPerSecond() const { return seconds > 0 ? events / seconds : 0; }
  // MeasureEngine: where the poll thread's time went, in seconds: folding
  // (AddAll), building and starting a batch's write (StartCommit), waiting
  // for the write before (FinishCommit), waiting for the generator.
  double fold_s = 0, start_s = 0, finish_s = 0, input_s = 0;
};

// A plain kafka::Consumer assigned to every input partition from the
// earliest offset, counting records until `expected` have arrived.
absl::StatusOr<Rate> MeasureRawConsume(const BenchCluster& cluster,
                                       int64_t expected);

// `keys` puts of ~300-byte values into a fresh StateStore under `dir`, in
// StateBatches of 20000 with the hub's fsync per batch.
absl::StatusOr<Rate> MeasureRawRocksDb(const std::string& dir, int64_t keys);

// The first `count` records of the workload through one BatchProcessor on a
// fresh store under `dir`, in batches of `batch` (the hub's default batch
// size unless given), each
// committed (fsync'd) with the previous batch's outputs marked delivered.
// Generating the records is not timed.
absl::StatusOr<Rate> MeasureEngine(
    const synth::SynthOptions& workload, int64_t count, int partitions,
    const std::string& dir,
    const streams::ProcessorOptions& options = streams::ProcessorOptions(),
    size_t batch = 0);

// Runs a started hub until it has consumed `records_total` records in all
// and the broker confirmed every output.
absl::StatusOr<Rate> RunHubUntil(streams::Hub& hub, int64_t records_total,
                                 int timeout_s);

struct Latency {
  double target_rate = 0;    // records/s asked of the producer
  double achieved_rate = 0;  // records/s it produced
  int64_t samples = 0;
  // Broker timestamp to the hub seeing every output of the record's batch
  // confirmed. The hub serves delivery reports between batches, so this
  // includes the batch being folded when the broker's ack arrived.
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  // Broker timestamp to the batch's outputs handed to the producer, after
  // its atomic commit: a lower bound of the above.
  double sent_p50_ms = 0, sent_p99_ms = 0;
};

// Produces `records` at `rate` on a second thread while the hub runs on this
// one, with the hub's published probe set (Hub::SetPublishedProbe).
absl::StatusOr<Latency> MeasureLatency(streams::Hub& hub,
                                       const BenchCluster& cluster,
                                       std::vector<synth::SynthRecord> records,
                                       double rate);

struct StateSize {
  int64_t customers = 0;    // profiles in the store
  uint64_t disk_bytes = 0;  // SST and WAL after a flush
  // After a full compaction: without the deleted and expired records (seen
  // ids past the dedup window, trimmed timeline, delivered outbox entries)
  // that stay in SST files until RocksDB's own compactions reach them.
  int64_t compacted_customers = 0;
  uint64_t compacted_bytes = 0;
  double BytesPerCustomer() const {
    return customers > 0 ? static_cast<double>(disk_bytes) / customers : 0;
  }
  double CompactedBytesPerCustomer() const {
    return compacted_customers > 0
               ? static_cast<double>(compacted_bytes) / compacted_customers
               : 0;
  }
};
// Fills customers and disk_bytes, the state as the run left it.
absl::StatusOr<StateSize> MeasureState(store::StateStore& store);
// Compacts every family and fills compacted_customers and compacted_bytes.
absl::Status MeasureCompactedState(store::StateStore& store, StateSize* size);

}  // namespace custhub::bench
