// Sends outbox records to Kafka and reports which ones the broker confirmed,
// so their outbox entries can be deleted. Nothing leaves the outbox before
// its delivery is confirmed: after a crash, Recover() re-sends what was left
// with the same keys and idempotency keys.
//
//   auto pub = OutboxPublisher::Create(client_options);
//   CUSTHUB_RETURN_IF_ERROR((*pub)->Recover(store));
//   CUSTHUB_RETURN_IF_ERROR((*pub)->Send(std::move(outputs)));
//   (*pub)->Poll(0);
//   auto done = (*pub)->TakeDelivered();  // delete these in the next batch
//
// Thread-safety: one thread (the hub's) calls everything.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "src/kafka/client.h"
#include "src/store/state_store.h"
#include "streams/by_sequence.h"
#include "streams/processor.h"

namespace custhub::streams {

class OutboxPublisher {
 public:
  // With a non-empty `transactional_id`, each Send() is one Kafka
  // transaction and outputs count as delivered only once it commits.
  static absl::StatusOr<std::unique_ptr<OutboxPublisher>> Create(
      const kafka::ClientOptions& options,
      const std::string& transactional_id = "");
  ~OutboxPublisher();

  // Re-sends every entry still in the store's outbox.
  absl::Status Recover(store::StateStore* store);
  absl::Status Send(std::vector<Outbound> records);
  // Serves delivery reports and re-sends failed records after a backoff.
  void Poll(int timeout_ms);
  // Sequence numbers confirmed since the last call.
  std::vector<uint64_t> TakeDelivered();
  // Records sent and not yet confirmed.
  size_t InFlight() const { return pending_.size(); }
  // Waits up to timeout_ms for everything in flight.
  absl::Status Flush(int timeout_ms);

  // Latency probe (custhub bench): the newest sequence number sent, and
  // the oldest not yet confirmed (UINT64_MAX when nothing is in flight).
  uint64_t newest_sent() const { return newest_sent_; }
  uint64_t oldest_in_flight() const {
    return pending_.empty() ? UINT64_MAX : pending_.first();
  }
  uint64_t delivered_total() const { return delivered_total_; }
  uint64_t failed_total() const { return failed_total_; }

 private:
  OutboxPublisher() = default;
  absl::Status Produce(uint64_t seq);
  void OnDelivery(uint64_t seq, absl::Status status);

  absl::Status SendInTransaction(std::vector<uint64_t> seqs);

  std::unique_ptr<kafka::Producer> producer_;
  bool transactional_ = false;
  std::vector<uint64_t> in_transaction_;  // acknowledged, not yet committed
  // An output sent and not yet confirmed: where its bytes are, and the
  // outbox entry (shared by the batch's outputs) that holds them.
  struct Pending {
    kafka::OutRecordView view;
    std::shared_ptr<const std::string> entry;
  };
  // Outputs in flight by sequence number.
  BySequence<Pending> pending_;
  std::vector<uint64_t> delivered_;
  std::deque<uint64_t> retry_;
  int64_t retry_after_micros_ = 0;
  uint64_t newest_sent_ = 0;
  uint64_t delivered_total_ = 0;
  uint64_t failed_total_ = 0;
};

}  // namespace custhub::streams
