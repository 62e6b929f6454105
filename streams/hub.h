// The hub's runtime: consume the input topics from the offsets stored in
// RocksDB, fold each poll batch into one atomic write, publish the outbox.
//
//   auto hub = Hub::Create(options);
//   CUSTHUB_RETURN_IF_ERROR((*hub)->Start());
//   std::atomic<bool> stop{false};
//   CUSTHUB_RETURN_IF_ERROR((*hub)->Run(stop));   // until stop, then drains
//
// Lifecycle: Create -> Start -> RunOnce/Run -> destroy. Thread-safety: one
// thread drives it; stats() copies are safe from that thread only. Other
// threads (the HTTP API) may call ready() and read the MetricsRegistry the
// hub updates.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "src/common/metrics.h"
#include "src/kafka/client.h"
#include "src/store/state_store.h"
#include "streams/merge.h"
#include "streams/options.h"
#include "streams/outbox.h"
#include "streams/polled_record.h"
#include "streams/processor.h"

namespace custhub::streams {

class Hub {
 public:
  static absl::StatusOr<std::unique_ptr<Hub>> Create(HubOptions options);
  ~Hub();

  // Opens the state dir, re-sends the outbox left by a previous run, and
  // assigns every input partition at its stored offset (or the earliest).
  absl::Status Start();
  // One poll batch: fold, commit, publish. Returns the records consumed.
  absl::StatusOr<size_t> RunOnce();
  // RunOnce until `stop`, then publishes what is left and returns.
  absl::Status Run(const std::atomic<bool>& stop);
  // True once every input partition is consumed up to its high watermark
  // and every output is confirmed.
  absl::StatusOr<bool> CaughtUp();
  // Waits for delivery of everything in flight, and records it.
  absl::Status Drain(int timeout_ms);

  // Low and high watermarks of every assigned partition, as of now.
  absl::StatusOr<
      std::map<std::pair<std::string, int32_t>, std::pair<int64_t, int64_t>>>
  Watermarks();
  // Records consumed per partition so far (committed next offsets).
  const std::map<std::pair<std::string, int32_t>, int64_t>& committed() const {
    return processor_->committed_offsets();
  }

  // Latency probe (custhub bench): once the broker has confirmed every
  // output of a batch, `probe` gets the broker timestamps (ms) of the
  // batch's records and when its outputs went to the producer (wall
  // micros), on this thread. Unset (the default) costs nothing.
  using PublishedProbe = std::function<void(
      const std::vector<int64_t>& timestamps_ms, Micros sent_at)>;
  void SetPublishedProbe(PublishedProbe probe) { probe_ = std::move(probe); }

  // Metrics for GET /metrics: after every RunOnce the hub copies its
  // counters and gauges into `metrics`, on this thread (hub_metrics.cc).
  // Unset (the default) costs nothing. Call before Start.
  void SetMetrics(MetricsRegistry* metrics) { metrics_ = metrics; }
  // True once every input partition is consumed up to the high watermark it
  // had when Start() ran (GET /readyz). Thread-safe.
  bool ready() const { return ready_.load(std::memory_order_acquire); }

  const ProcessorStats& stats() const { return processor_->stats(); }
  const MergeStats& merge_stats() const { return merge_.stats(); }
  // Outputs not yet confirmed by the broker, counting those of a batch
  // still being written (published once it lands).
  size_t outbox_in_flight() const {
    return publisher_->InFlight() + (processor_->CommitInFlight() ? 1 : 0);
  }
  store::StateStore* store() { return store_.get(); }

 private:
  explicit Hub(HubOptions options) : options_(std::move(options)) {}
  absl::Status CommitAndPublish();
  // The poll loop's commit: publishes the batch before (written while this
  // one folded) and starts writing this one.
  absl::Status CommitPipelined();
  // Waits for the batch being written and publishes its outputs.
  absl::Status FinishAndPublish();
  absl::Status ReadErasuresFirst();
  // Commits what is pending, then the erasure alone, then compacts.
  absl::Status ApplyErasure(PolledRecord& m);
  // Views of `m`'s topic, key and value; its headers move over.
  static InputRecord ToInput(const PolledRecord& m);

  HubOptions options_;
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<OutboxPublisher> publisher_;
  std::unique_ptr<BatchProcessor> processor_;
  std::vector<kafka::TopicPartition> assignment_;
  // Polled records in the order they fold (merge.h).
  InputMerge<PolledRecord> merge_;
  void ReportMergeEscapes(const MergeStats& before, Micros now);
  RepeatReport forced_report_{60 * kMicrosPerSecond};
  // Pauses the partitions the merge holds too much of, resumes the others
  // (InputMerge::Throttle).
  absl::Status ThrottleInput();
  // Live mode: moves stream time to the wall clock once inputs have been
  // idle for options_.advance_when_idle (at most once a second).
  absl::Status AdvanceWhenIdle(bool idle, Micros now);
  Micros last_input_at_ = 0, last_advance_at_ = 0;
  // Notes when probed batches' outputs went to the producer, and calls
  // probe_ for the batches whose outputs are all confirmed.
  void ReportPublished();
  PublishedProbe probe_;
  // A probed batch: the sequence number of its last output (of the batch
  // before when it has none), its records' timestamps, and when its
  // outputs were sent (0: not yet; a batch's outputs leave once its write
  // has landed, during the next RunOnce).
  struct Probed {
    uint64_t last_seq = 0;
    std::vector<int64_t> timestamps_ms;
    Micros sent_at = 0;
  };
  std::deque<Probed> probed_;

  // Readiness: each partition's (low, high) watermarks as of Start, and
  // whether they are known (a failed query is retried by CheckReady).
  absl::Status LoadStartWatermarks(int timeout_ms);
  // Sets ready_ (and logs "caught up") once the start watermarks are reached.
  void CheckReady();
  std::map<std::pair<std::string, int32_t>, std::pair<int64_t, int64_t>>
      start_watermarks_;
  bool start_watermarks_known_ = false;
  Micros started_at_ = 0, last_watermark_try_ = 0;
  std::atomic<bool> ready_{false};
  // Copies stats, lags and outbox depth into metrics_. batch_micros < 0: no
  // records this time; *_ms: the batch's broker timestamps (-1: none).
  void UpdateMetrics(Micros batch_micros, int64_t oldest_ms, int64_t newest_ms);
  MetricsRegistry* metrics_ = nullptr;
  uint64_t consume_errors_ = 0;
};

}  // namespace custhub::streams
