#include "src/kafka/client.h"

#include <librdkafka/rdkafka.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "src/kafka/errors.h"

namespace custhub::kafka {
namespace {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

absl::Status Set(rd_kafka_conf_t* conf, const std::string& key,
                 const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof(err)) !=
      RD_KAFKA_CONF_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("kafka property ", key, "=", value, ": ", err));
  }
  return absl::OkStatus();
}

absl::StatusOr<ConfPtr> MakeConf(
    const ClientOptions& options,
    const std::map<std::string, std::string>& defaults) {
  if (options.bootstrap.empty()) {
    return absl::InvalidArgumentError("--bootstrap: no broker address given");
  }
  ConfPtr conf(rd_kafka_conf_new());
  std::map<std::string, std::string> all = defaults;
  all["bootstrap.servers"] = options.bootstrap;
  all.emplace("client.id", "custhub");
  all.emplace("log_level", "3");  // errors only; custhub logs what matters
  for (const auto& [k, v] : options.properties) all[k] = v;
  for (const auto& [k, v] : all) {
    if (auto s = Set(conf.get(), k, v); !s.ok()) return s;
  }
  return conf;
}

absl::StatusOr<RdKafkaPtr> NewHandle(rd_kafka_type_t type, ConfPtr conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof(err));
  if (rk == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("kafka client: ", err));
  }
  conf.release();  // owned by rk now
  return RdKafkaPtr(rk);
}

}  // namespace

void RdKafkaDeleter::operator()(rd_kafka_s* rk) const { rd_kafka_destroy(rk); }

// ---- Producer ---------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(
    const ClientOptions& options, DeliveryCallback on_delivery) {
  auto conf = MakeConf(options, {{"enable.idempotence", "true"},
                                 {"compression.type", "lz4"},
                                 {"linger.ms", "5"},
                                 {"batch.num.messages", "10000"},
                                 {"queue.buffering.max.messages", "500000"},
                                 {"queue.buffering.max.kbytes", "1048576"},
                                 {"message.timeout.ms", "0"}});
  if (!conf.ok()) return conf.status();
  std::unique_ptr<Producer> p(new Producer());
  p->on_delivery_ = std::move(on_delivery);
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &Producer::OnDelivery);
  rd_kafka_conf_set_opaque(conf->get(), p.get());
  auto rk = NewHandle(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!rk.ok()) return rk.status();
  p->rk_ = std::move(*rk);
  return p;
}

Producer::~Producer() {
  // The owner may be half destroyed: no callbacks into it from here on.
  on_delivery_ = nullptr;
  // Give queued records a moment; the outbox re-sends whatever is left.
  if (rk_) rd_kafka_flush(rk_.get(), 2000);
}

void Producer::OnDelivery(rd_kafka_s*, const rd_kafka_message_s* msg,
                          void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (!self->on_delivery_) return;
  auto tag = reinterpret_cast<uintptr_t>(msg->_private);
  self->on_delivery_(tag, KafkaError(msg->err, "delivery"));
}

absl::Status Producer::Produce(const OutRecord& r, uint64_t tag) {
  OutRecordView v{r.topic, r.key, r.value, r.value_is_null, {}};
  v.headers.reserve(r.headers.size());
  for (const auto& [k, value] : r.headers) v.headers.emplace_back(k, value);
  return ProduceWithFlags(v, r.partition, tag, RD_KAFKA_MSG_F_COPY);
}

absl::Status Producer::ProduceView(const OutRecordView& r, uint64_t tag) {
  return ProduceWithFlags(r, -1, tag, 0);
}

absl::Status Producer::ProduceWithFlags(const OutRecordView& r,
                                        int32_t partition, uint64_t tag,
                                        int msgflags) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (!r.headers.empty()) {
    hdrs = rd_kafka_headers_new(r.headers.size());
    for (const auto& [k, v] : r.headers) {
      rd_kafka_header_add(hdrs, k.data(), static_cast<ssize_t>(k.size()),
                          v.data(), static_cast<ssize_t>(v.size()));
    }
  }
  topic_.assign(r.topic.data(), r.topic.size());
  rd_kafka_resp_err_t err = rd_kafka_producev(
      rk_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
      RD_KAFKA_V_PARTITION(partition == -1 ? RD_KAFKA_PARTITION_UA : partition),
      RD_KAFKA_V_MSGFLAGS(msgflags),
      RD_KAFKA_V_KEY(const_cast<char*>(r.key.data()), r.key.size()),
      RD_KAFKA_V_VALUE(
          r.value_is_null ? nullptr : const_cast<char*>(r.value.data()),
          r.value_is_null ? 0 : r.value.size()),
      RD_KAFKA_V_HEADERS(hdrs),
      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(tag))),
      RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
    return KafkaError(err, absl::StrCat("produce to ", r.topic));
  }
  return absl::OkStatus();
}

int Producer::Poll(int timeout_ms) {
  return rd_kafka_poll(rk_.get(), timeout_ms);
}

absl::Status Producer::Flush(int timeout_ms) {
  return KafkaError(rd_kafka_flush(rk_.get(), timeout_ms), "flush");
}

int Producer::OutQueueLength() const { return rd_kafka_outq_len(rk_.get()); }

namespace {
// Transactional calls return an rd_kafka_error_t that must be freed.
absl::Status TxnStatus(rd_kafka_error_t* error, absl::string_view what) {
  if (error == nullptr) return absl::OkStatus();
  absl::Status s =
      KafkaError(rd_kafka_error_code(error),
                 absl::StrCat(what, ": ", rd_kafka_error_string(error)));
  rd_kafka_error_destroy(error);
  return s;
}
}  // namespace

absl::Status Producer::InitTransactions(int timeout_ms) {
  return TxnStatus(rd_kafka_init_transactions(rk_.get(), timeout_ms),
                   "init transactions");
}

absl::Status Producer::BeginTransaction() {
  return TxnStatus(rd_kafka_begin_transaction(rk_.get()), "begin transaction");
}

absl::Status Producer::CommitTransaction(int timeout_ms) {
  return TxnStatus(rd_kafka_commit_transaction(rk_.get(), timeout_ms),
                   "commit transaction");
}

absl::Status Producer::AbortTransaction(int timeout_ms) {
  return TxnStatus(rd_kafka_abort_transaction(rk_.get(), timeout_ms),
                   "abort transaction");
}

// ---- Message ----------------------------------------------------------------

Message::~Message() {
  if (msg_ != nullptr) rd_kafka_message_destroy(msg_);
}

Message& Message::operator=(Message&& other) noexcept {
  if (this != &other) {
    if (msg_ != nullptr) rd_kafka_message_destroy(msg_);
    msg_ = std::exchange(other.msg_, nullptr);
  }
  return *this;
}

absl::Status Message::error() const {
  if (msg_->err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return KafkaError(msg_->err,
                    msg_->rkt ? rd_kafka_topic_name(msg_->rkt) : "consume");
}

bool Message::is_partition_eof() const {
  return msg_->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
}

absl::string_view Message::topic() const {
  return msg_->rkt ? rd_kafka_topic_name(msg_->rkt) : "";
}
int32_t Message::partition() const { return msg_->partition; }
int64_t Message::offset() const { return msg_->offset; }
absl::string_view Message::key() const {
  return msg_->key ? absl::string_view(static_cast<const char*>(msg_->key),
                                       msg_->key_len)
                   : absl::string_view();
}
absl::string_view Message::value() const {
  return msg_->payload ? absl::string_view(
                             static_cast<const char*>(msg_->payload), msg_->len)
                       : absl::string_view();
}
bool Message::value_is_null() const { return msg_->payload == nullptr; }

int64_t Message::timestamp_ms() const {
  rd_kafka_timestamp_type_t type;
  return rd_kafka_message_timestamp(msg_, &type);
}

std::vector<Header> Message::headers() const {
  std::vector<Header> out;
  for (const auto& [name, value] : header_views()) {
    out.emplace_back(std::string(name), std::string(value));
  }
  return out;
}

std::vector<std::pair<absl::string_view, absl::string_view>>
Message::header_views() const {
  std::vector<std::pair<absl::string_view, absl::string_view>> out;
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(msg_, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return out;
  }
  const char* name;
  const void* value;
  size_t size;
  for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) ==
                     RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    out.emplace_back(
        name, value ? absl::string_view(static_cast<const char*>(value), size)
                    : absl::string_view());
  }
  return out;
}

absl::string_view Message::header(absl::string_view name) const {
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(msg_, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return {};
  }
  const char* n;
  const void* value;
  size_t size;
  for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &n, &value, &size) ==
                     RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    if (name == n && value != nullptr) {
      return absl::string_view(static_cast<const char*>(value), size);
    }
  }
  return {};
}

// ---- Consumer ---------------------------------------------------------------

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(
    const ClientOptions& options, bool report_partition_end) {
  auto conf = MakeConf(options, {{"group.id", "custhub"},
                                 {"enable.auto.commit", "false"},
                                 {"enable.auto.offset.store", "false"},
                                 {"enable.partition.eof",
                                  report_partition_end ? "true" : "false"},
                                 {"auto.offset.reset", "earliest"},
                                 {"fetch.wait.max.ms", "10"},
                                 {"queued.min.messages", "200000"},
                                 {"fetch.max.bytes", "52428800"},
                                 {"max.partition.fetch.bytes", "10485760"}});
  if (!conf.ok()) return conf.status();
  auto rk = NewHandle(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!rk.ok()) return rk.status();
  std::unique_ptr<Consumer> c(new Consumer());
  c->rk_ = std::move(*rk);
  c->queue_ = rd_kafka_queue_get_consumer(c->rk_.get());
  return c;
}

Consumer::~Consumer() {
  if (queue_ != nullptr) rd_kafka_queue_destroy(queue_);
  if (rk_) {
    // Release the assignment; no group to leave, nothing to commit.
    rd_kafka_assign(rk_.get(), nullptr);
    rd_kafka_consumer_close(rk_.get());
  }
}

absl::Status Consumer::Assign(const std::vector<TopicPartition>& partitions) {
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list, tp.topic.c_str(), tp.partition)
        ->offset = tp.offset;
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  return KafkaError(err, "assign");
}

namespace {

// Runs `call` on a librdkafka list of `partitions`; the first partition
// error, if any, is the answer.
absl::Status OnPartitions(
    const Consumer::Partitions& partitions, absl::string_view what,
    rd_kafka_resp_err_t (*call)(rd_kafka_t*, rd_kafka_topic_partition_list_t*),
    rd_kafka_t* rk) {
  if (partitions.empty()) return absl::OkStatus();
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (const auto& [topic, p] : partitions) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  }
  rd_kafka_resp_err_t err = call(rk, list);
  for (int i = 0; i < list->cnt && !err; ++i) err = list->elems[i].err;
  rd_kafka_topic_partition_list_destroy(list);
  return KafkaError(err, what);
}

}  // namespace

absl::Status Consumer::Pause(const Partitions& partitions) {
  return OnPartitions(partitions, "pause", rd_kafka_pause_partitions,
                      rk_.get());
}

absl::Status Consumer::Resume(const Partitions& partitions) {
  return OnPartitions(partitions, "resume", rd_kafka_resume_partitions,
                      rk_.get());
}

absl::StatusOr<std::vector<Message>> Consumer::PollBatch(size_t max,
                                                         int timeout_ms) {
  std::vector<rd_kafka_message_t*> raw(max);
  // rd_kafka_consume_batch_queue() waits until `max` records or the timeout,
  // whichever comes first: under a light load every poll would sit out its
  // whole timeout. So take what is queued; wait only for a first record,
  // then take what came with it.
  ssize_t n = rd_kafka_consume_batch_queue(queue_, 0, raw.data(), max);
  if (n == 0 && timeout_ms > 0 && max > 0) {
    n = rd_kafka_consume_batch_queue(queue_, timeout_ms, raw.data(), 1);
    if (n == 1 && max > 1) {
      ssize_t more =
          rd_kafka_consume_batch_queue(queue_, 0, raw.data() + 1, max - 1);
      if (more > 0) n += more;
    }
  }
  if (n < 0) return KafkaError(rd_kafka_last_error(), "consume");
  std::vector<Message> out;
  out.reserve(n);
  for (ssize_t i = 0; i < n; ++i) out.emplace_back(raw[i]);
  return out;
}

// ---- Metadata ---------------------------------------------------------------

absl::StatusOr<int32_t> PartitionCount(rd_kafka_s* rk, const std::string& topic,
                                       int timeout_ms) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
  rd_kafka_topic_destroy(rkt);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err, absl::StrCat("metadata for ", topic));
  }
  int32_t count = -1;
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic == md->topics[i].topic) {
      topic_err = md->topics[i].err;
      count = md->topics[i].partition_cnt;
    }
  }
  rd_kafka_metadata_destroy(md);
  if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(topic_err, absl::StrCat("topic ", topic));
  }
  if (count <= 0) {
    return absl::NotFoundError(
        absl::StrCat("topic ", topic, " has no partitions"));
  }
  return count;
}

absl::StatusOr<std::pair<int64_t, int64_t>> Watermarks(rd_kafka_s* rk,
                                                       const std::string& topic,
                                                       int32_t partition,
                                                       int timeout_ms) {
  int64_t low = 0, high = 0;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      rk, topic.c_str(), partition, &low, &high, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err,
                      absl::StrCat("watermarks of ", topic, "/", partition));
  }
  return std::make_pair(low, high);
}

absl::StatusOr<std::pair<int64_t, int64_t>> CachedWatermarks(
    rd_kafka_s* rk, const std::string& topic, int32_t partition) {
  int64_t low = RD_KAFKA_OFFSET_INVALID, high = RD_KAFKA_OFFSET_INVALID;
  rd_kafka_resp_err_t err =
      rd_kafka_get_watermark_offsets(rk, topic.c_str(), partition, &low, &high);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || high == RD_KAFKA_OFFSET_INVALID) {
    return absl::NotFoundError(
        absl::StrCat("no cached watermarks of ", topic, "/", partition));
  }
  return std::make_pair(low, high);
}

}  // namespace custhub::kafka
