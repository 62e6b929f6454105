// RAII wrappers over librdkafka handles: a producer with per-message
// delivery callbacks, a low-level consumer driven by assign(), metadata and
// watermark queries. Every handle is owned by a unique_ptr the moment it is
// created; errors come back as absl::Status.
//
//   ClientOptions opts{.bootstrap = "127.0.0.1:9092"};
//   auto producer = Producer::Create(opts, [](uint64_t tag, absl::Status s)
//   {}); CUSTHUB_RETURN_IF_ERROR((*producer)->Produce({.topic = "orders", ...},
//   7));
//   (*producer)->Poll(0);  // runs delivery callbacks
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct rd_kafka_s;
struct rd_kafka_message_s;
struct rd_kafka_queue_s;

namespace custhub::kafka {

struct ClientOptions {
  // Comma-separated host:port list. Required.
  std::string bootstrap;
  // Extra librdkafka properties, applied last. Default: none.
  std::map<std::string, std::string> properties;
};

using Header = std::pair<std::string, std::string>;

// One record to produce. A null value (tombstone) is `value_is_null`.
struct OutRecord {
  std::string topic;
  std::string key;
  std::string value;
  bool value_is_null = false;
  std::vector<Header> headers;
  int32_t partition = -1;  // -1: by key hash (librdkafka's default partitioner)
};

// A record to produce whose bytes live elsewhere (an outbox entry): nothing
// is copied into it. The value must stay valid until the record's delivery
// report (ProduceView).
struct OutRecordView {
  absl::string_view topic;
  absl::string_view key;
  absl::string_view value;
  bool value_is_null = false;
  std::vector<std::pair<absl::string_view, absl::string_view>> headers;
};

struct RdKafkaDeleter {
  void operator()(rd_kafka_s* rk) const;
};
using RdKafkaPtr = std::unique_ptr<rd_kafka_s, RdKafkaDeleter>;

// Thread-safety: Produce() and Poll() may be called from one thread at a
// time; delivery callbacks run inside Poll()/Flush() on that thread.
class Producer {
 public:
  // Called once per produced record with the tag given to Produce().
  using DeliveryCallback = std::function<void(uint64_t tag, absl::Status)>;

  // Idempotent, lz4-compressed by default; options.properties override.
  static absl::StatusOr<std::unique_ptr<Producer>> Create(
      const ClientOptions& options, DeliveryCallback on_delivery);
  ~Producer();

  // Queues one record. ResourceExhausted when the local queue is full: poll
  // and retry.
  absl::Status Produce(const OutRecord& record, uint64_t tag);
  // As Produce, but librdkafka keeps a pointer to record.value instead of a
  // copy: the value's bytes must stay where they are until the delivery
  // callback for `tag` has run (or the producer is destroyed). Saves a copy
  // of every output while it is in flight.
  absl::Status ProduceView(const OutRecordView& record, uint64_t tag);
  // Serves delivery callbacks; returns how many ran.
  int Poll(int timeout_ms);
  // Waits until everything queued is delivered or failed.
  absl::Status Flush(int timeout_ms);
  // Records queued or in flight.
  int OutQueueLength() const;

  // Kafka transactions (the producer needs `transactional.id`). Init fences
  // an older producer with the same id; Commit flushes and waits.
  absl::Status InitTransactions(int timeout_ms);
  absl::Status BeginTransaction();
  absl::Status CommitTransaction(int timeout_ms);
  absl::Status AbortTransaction(int timeout_ms);

  rd_kafka_s* handle() const { return rk_.get(); }

 private:
  Producer() = default;
  static void OnDelivery(rd_kafka_s*, const rd_kafka_message_s*, void*);
  absl::Status ProduceWithFlags(const OutRecordView& record, int32_t partition,
                                uint64_t tag, int msgflags);

  DeliveryCallback on_delivery_;
  RdKafkaPtr rk_;
  std::string topic_;  // the topic's name NUL-terminated, reused
};

// A consumed record. Owns the librdkafka message until destroyed.
class Message {
 public:
  explicit Message(rd_kafka_message_s* msg) : msg_(msg) {}
  ~Message();
  Message(Message&& other) noexcept
      : msg_(std::exchange(other.msg_, nullptr)) {}
  Message& operator=(Message&& other) noexcept;
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  // Non-OK for an error event (e.g. a partition error) rather than a record.
  absl::Status error() const;
  // The event that says the consumer reached the end of topic()/partition()
  // (consumers created with report_partition_end); error() is non-OK too.
  bool is_partition_eof() const;
  absl::string_view topic() const;
  int32_t partition() const;
  int64_t offset() const;
  absl::string_view key() const;
  absl::string_view value() const;
  bool value_is_null() const;
  // Broker or create time in milliseconds; -1 if unknown.
  int64_t timestamp_ms() const;
  // All headers in order; a null header value comes back empty.
  std::vector<Header> headers() const;
  // The same as views into the message (valid while it lives).
  std::vector<std::pair<absl::string_view, absl::string_view>> header_views()
      const;
  // First header named `name`, or empty.
  absl::string_view header(absl::string_view name) const;

 private:
  rd_kafka_message_s* msg_;
};

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;  // next offset to read; -2 means the earliest
};

// A low-level consumer: assign() with offsets custhub stores itself; no group
// rebalancing, no offset commits to Kafka.
// Thread-safety: one thread at a time.
class Consumer {
 public:
  // report_partition_end: PollBatch also returns an is_partition_eof()
  // event each time a partition's end is reached.
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(
      const ClientOptions& options, bool report_partition_end = false);
  ~Consumer();

  absl::Status Assign(const std::vector<TopicPartition>& partitions);
  // Pause stops fetching the partitions and drops what was prefetched of
  // them; Resume fetches again from the record after the last one polled.
  using Partitions = std::vector<std::pair<std::string, int32_t>>;
  absl::Status Pause(const Partitions& partitions);
  absl::Status Resume(const Partitions& partitions);
  // Up to `max` records, waiting at most `timeout_ms` for the first one.
  absl::StatusOr<std::vector<Message>> PollBatch(size_t max, int timeout_ms);

  rd_kafka_s* handle() const { return rk_.get(); }

 private:
  Consumer() = default;
  RdKafkaPtr rk_;
  rd_kafka_queue_s* queue_ = nullptr;
};

// Number of partitions of `topic`, NotFound if the topic does not exist.
absl::StatusOr<int32_t> PartitionCount(rd_kafka_s* rk, const std::string& topic,
                                       int timeout_ms);

// Low and high watermark offsets of one partition, queried from the broker.
absl::StatusOr<std::pair<int64_t, int64_t>> Watermarks(rd_kafka_s* rk,
                                                       const std::string& topic,
                                                       int32_t partition,
                                                       int timeout_ms);

// The watermarks the consumer last saw in fetch responses, without asking
// the broker (cheap enough for every poll; for lag metrics). NotFound while
// none has been seen yet.
absl::StatusOr<std::pair<int64_t, int64_t>> CachedWatermarks(
    rd_kafka_s* rk, const std::string& topic, int32_t partition);

}  // namespace custhub::kafka
