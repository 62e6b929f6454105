// The benchmark's workload on the embedded broker, run in a child process
// (BrokerProcess) so the bench process's memory is the hub's: the contract's
// topics sized so nothing is truncated, producing the
// synthetic stream (as fast as the producer takes it, or paced at a rate),
// and checking the broker kept every record.
//
//   auto cluster = BenchCluster::Start(/*input_partitions=*/128);
//   synth::SyntheticStream stream(synth_options);
//   auto produced = ProduceFast((*cluster)->bootstrap(), stream, 1000000, 128);
//   auto kept = (*cluster)->CountInputRecords();
//
// Lifecycle: the cluster serves until destroyed. Thread-safety: ProducePaced
// may run on its own thread; everything else on the caller's.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/broker_process.h"
#include "src/kafka/client.h"
#include "src/synth/synthetic_store.h"
#include "streams/options.h"

namespace custhub::bench {

// The partition a record's key goes to, in the broker and in the
// engine-alone run alike.
int32_t PartitionOf(absl::string_view key, int partitions);

// Partitions per input topic so that `records` (and as many again for the
// latency phase) stay under the embedded broker's 5 MiB per partition.
int InputPartitionsFor(int64_t records);

// A directory under the system temp dir, removed with its contents.
class ScopedTempDir {
 public:
  ScopedTempDir();
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::string& path() const { return path_; }
  // A fresh sub-directory name inside it.
  std::string Sub(absl::string_view name) const;

 private:
  std::string path_;
};

struct BrokerCount {
  int64_t records = 0;  // sum over input partitions of high - low watermark
  int64_t truncated_partitions = 0;  // partitions whose low watermark moved
};

class BenchCluster {
 public:
  static absl::StatusOr<std::unique_ptr<BenchCluster>> Start(
      int input_partitions);

  const std::string& bootstrap() const { return broker_->bootstrap(); }
  // The broker process's peak resident set size so far.
  uint64_t BrokerPeakRssBytes() const { return broker_->PeakRssBytes(); }
  const streams::InputTopics& inputs() const { return inputs_; }
  int input_partitions() const { return input_partitions_; }
  // Every partition of the input topics (erasure excluded), from the start.
  std::vector<kafka::TopicPartition> InputAssignment() const;
  // What the broker holds on the input topics now.
  absl::StatusOr<BrokerCount> CountInputRecords() const;

 private:
  BenchCluster() = default;
  std::unique_ptr<BrokerProcess> broker_;
  streams::InputTopics inputs_;
  int input_partitions_ = 0;
};

struct ProduceResult {
  int64_t records = 0;
  uint64_t value_bytes = 0;
  double seconds = 0;  // producing and delivery, generation excluded
};

// Produces the next `count` records of `stream`, compressed (lz4) and
// batched for throughput; returns once the broker confirmed all of them.
absl::StatusOr<ProduceResult> ProduceFast(const std::string& bootstrap,
                                          synth::SyntheticStream& stream,
                                          int64_t count, int partitions);

// Produces `records` at `rate` records/s with a low linger, as live webhooks
// arrive, until done or `stop`; returns once all are confirmed.
absl::StatusOr<ProduceResult> ProducePaced(
    const std::string& bootstrap, std::vector<synth::SynthRecord> records,
    double rate, int partitions, const std::atomic<bool>& stop);

}  // namespace custhub::bench
