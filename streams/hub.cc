#include "streams/hub.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/common/log.h"
#include "src/common/status.h"
#include "src/common/time.h"

namespace custhub::streams {

absl::StatusOr<std::unique_ptr<Hub>> Hub::Create(HubOptions options) {
  CUSTHUB_RETURN_IF_ERROR(options.Validate());
  options.processor.erasure_topic = options.inputs.erasure;
  return std::unique_ptr<Hub>(new Hub(std::move(options)));
}

Hub::~Hub() = default;

absl::Status Hub::Start() {
  store::StoreOptions so;
  so.path = options_.state_dir;
  so.sync = options_.sync;
  CUSTHUB_ASSIGN_OR_RETURN(store_, store::StateStore::Open(so));
  processor_ =
      std::make_unique<BatchProcessor>(store_.get(), options_.processor);
  CUSTHUB_RETURN_IF_ERROR(processor_->Init());

  kafka::ClientOptions client{options_.bootstrap, options_.kafka_properties};
  CUSTHUB_ASSIGN_OR_RETURN(
      publisher_, OutboxPublisher::Create(client, options_.transactional_id));
  CUSTHUB_RETURN_IF_ERROR(publisher_->Recover(store_.get()));
  CUSTHUB_ASSIGN_OR_RETURN(
      consumer_,
      kafka::Consumer::Create(client, /*report_partition_end=*/true));

  if (options_.replay) CUSTHUB_RETURN_IF_ERROR(ReadErasuresFirst());
  CUSTHUB_ASSIGN_OR_RETURN(store::OffsetMap offsets, store_->LoadOffsets());
  processor_->SeedOffsets(offsets);
  assignment_.clear();
  for (const auto& topic : options_.inputs.All()) {
    auto count = kafka::PartitionCount(consumer_->handle(), topic, 10000);
    if (!count.ok()) {
      return absl::Status(
          count.status().code(),
          absl::StrCat("input topic ", topic, ": ", count.status().message()));
    }
    for (int32_t p = 0; p < *count; ++p) {
      auto it = offsets.find({topic, p});
      assignment_.push_back(
          {topic, p, it == offsets.end() ? -2 /* earliest */ : it->second});
    }
  }
  CUSTHUB_RETURN_IF_ERROR(consumer_->Assign(assignment_));
  MergeOptions mo;
  mo.max_wait = options_.merge_wait > 0 ? options_.merge_wait
                : options_.replay       ? 60 * kMicrosPerSecond
                                        : kMicrosPerSecond;
  mo.max_buffered = options_.merge_max_buffered;
  mo.pause_at = options_.merge_pause_at;
  merge_ = InputMerge<PolledRecord>(mo);
  std::vector<std::pair<std::string, int32_t>> parts;
  for (const auto& tp : assignment_) parts.emplace_back(tp.topic, tp.partition);
  merge_.Reset(parts);
  started_at_ = WallNowMicros();
  last_input_at_ = started_at_;
  if (auto s = LoadStartWatermarks(5000); !s.ok()) {
    Log(LogLevel::kWarn, "fault",
        {{"kind", "watermarks"}, {"error", std::string(s.message())}});
  }
  Log(LogLevel::kInfo, "hub started",
      {{"state_dir", options_.state_dir},
       {"partitions", absl::StrCat(assignment_.size())},
       {"stored_offsets", absl::StrCat(offsets.size())}});
  return absl::OkStatus();
}

absl::Status Hub::ReadErasuresFirst() {
  // A replay meets erasure requests only after the events they erase; read
  // them all first, so an erased customer's events are dropped wherever
  // they are in the topics.
  const std::string& topic = options_.inputs.erasure;
  CUSTHUB_ASSIGN_OR_RETURN(
      int32_t count, kafka::PartitionCount(consumer_->handle(), topic, 10000));
  std::vector<kafka::TopicPartition> parts;
  std::map<int32_t, int64_t> high;
  for (int32_t p = 0; p < count; ++p) {
    CUSTHUB_ASSIGN_OR_RETURN(
        auto wm, kafka::Watermarks(consumer_->handle(), topic, p, 5000));
    if (wm.second > wm.first) {
      high[p] = wm.second;
      parts.push_back({topic, p, -2});
    }
  }
  if (parts.empty()) return absl::OkStatus();
  CUSTHUB_RETURN_IF_ERROR(consumer_->Assign(parts));
  std::map<int32_t, int64_t> next;
  auto done = [&] {
    for (const auto& [p, h] : high) {
      if (next[p] < h) return false;
    }
    return true;
  };
  while (!done()) {
    CUSTHUB_ASSIGN_OR_RETURN(auto messages, consumer_->PollBatch(1000, 200));
    for (const auto& m : messages) {
      if (!m.error().ok()) continue;
      next[m.partition()] = m.offset() + 1;
      PolledRecord record(m);
      CUSTHUB_RETURN_IF_ERROR(ApplyErasure(record));
    }
  }
  Log(LogLevel::kInfo, "erasure requests read before replaying",
      {{"records", absl::StrCat(processor_->stats().records)}});
  return absl::OkStatus();
}

absl::Status Hub::ApplyErasure(PolledRecord& m) {
  CUSTHUB_RETURN_IF_ERROR(CommitAndPublish());  // what came before it
  CUSTHUB_RETURN_IF_ERROR(processor_->AddErasure(ToInput(m)));
  bool erased = processor_->HasErasures();
  CUSTHUB_RETURN_IF_ERROR(CommitAndPublish());
  // Deleted keys linger in older files until compacted: scrub now, so
  // nothing of the customer stays readable in the state dir.
  if (erased) CUSTHUB_RETURN_IF_ERROR(store_->Scrub());
  return absl::OkStatus();
}

InputRecord Hub::ToInput(const PolledRecord& m) {
  InputRecord r;
  r.topic = m.topic();
  r.partition = m.partition();
  r.offset = m.offset();
  r.key = m.key();
  r.value = m.value();
  r.headers = m.headers();
  r.timestamp_ms = m.timestamp_ms();
  return r;
}

namespace {
absl::Status WriteFailed(const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat("state write failed, batch not "
                                             "applied: ",
                                             s.message()));
}
}  // namespace

absl::Status Hub::FinishAndPublish() {
  if (!processor_->CommitInFlight()) return absl::OkStatus();
  std::vector<Outbound> outputs;
  absl::Status s = processor_->FinishCommit(&outputs);
  if (!s.ok()) return WriteFailed(s);
  CUSTHUB_RETURN_IF_ERROR(publisher_->Send(std::move(outputs)));
  ReportPublished();
  return absl::OkStatus();
}

absl::Status Hub::CommitAndPublish() {
  CUSTHUB_RETURN_IF_ERROR(FinishAndPublish());
  std::vector<uint64_t> delivered = publisher_->TakeDelivered();
  if (!processor_->HasPending() && delivered.empty()) return absl::OkStatus();
  std::vector<Outbound> outputs;
  absl::Status s = processor_->Commit(delivered, &outputs);
  if (!s.ok()) {
    processor_->Abandon();
    return WriteFailed(s);
  }
  return publisher_->Send(std::move(outputs));
}

absl::Status Hub::CommitPipelined() {
  CUSTHUB_RETURN_IF_ERROR(FinishAndPublish());
  std::vector<uint64_t> delivered = publisher_->TakeDelivered();
  if (!processor_->HasPending() && delivered.empty()) return absl::OkStatus();
  absl::Status s = processor_->StartCommit(delivered);
  if (!s.ok()) {
    processor_->Abandon();
    return WriteFailed(s);
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> Hub::RunOnce() {
  // Backpressure: while too much output is unconfirmed, only publish.
  if (publisher_->InFlight() >= options_.max_in_flight) {
    publisher_->Poll(100);
    CUSTHUB_RETURN_IF_ERROR(CommitAndPublish());
    ReportPublished();
    if (metrics_ != nullptr) UpdateMetrics(-1, -1, -1);
    return 0;
  }
  // While records wait for another partition, poll briefly and look again.
  // A batch being written is published as soon as nothing more came in.
  int timeout = processor_->CommitInFlight() ? 0
                : merge_.waiting() ? std::min(options_.poll_timeout_ms, 10)
                                   : options_.poll_timeout_ms;
  CUSTHUB_ASSIGN_OR_RETURN(std::vector<kafka::Message> polled,
                           consumer_->PollBatch(options_.batch_max, timeout));
  Micros started = WallNowMicros();
  for (auto& m : polled) {
    if (m.is_partition_eof()) {
      merge_.MarkEnd(m.topic(), m.partition());
    } else if (absl::Status err = m.error(); !err.ok()) {
      ++consume_errors_;
      Log(LogLevel::kWarn, "fault",
          {{"kind", "consume"}, {"error", std::string(err.message())}});
    } else {
      merge_.Add(PolledRecord(m));
      last_input_at_ = started;
    }
  }
  std::vector<PolledRecord> messages;
  MergeStats merge_before = merge_.stats();
  merge_.Take(options_.batch_max, started, &messages);
  ReportMergeEscapes(merge_before, started);
  CUSTHUB_RETURN_IF_ERROR(ThrottleInput());
  CUSTHUB_RETURN_IF_ERROR(
      AdvanceWhenIdle(messages.empty() && merge_.buffered() == 0, started));
  size_t consumed = 0;
  std::vector<int64_t> stamps;
  int64_t oldest_ms = -1, newest_ms = -1;  // broker timestamps, for metrics
  // Records fold in runs (decoded ahead on the processor's worker); an
  // erasure request ends a run.
  std::vector<InputRecord> run;
  for (auto& m : messages) {
    if (probe_) stamps.push_back(m.timestamp_ms());
    if (int64_t ts = m.timestamp_ms(); ts >= 0) {
      oldest_ms = oldest_ms < 0 ? ts : std::min(oldest_ms, ts);
      newest_ms = std::max(newest_ms, ts);
    }
    if (m.topic() == options_.inputs.erasure) {
      CUSTHUB_RETURN_IF_ERROR(processor_->AddAll(run));
      run.clear();
      CUSTHUB_RETURN_IF_ERROR(ApplyErasure(m));
    } else {
      run.push_back(ToInput(m));
    }
    ++consumed;
  }
  CUSTHUB_RETURN_IF_ERROR(processor_->AddAll(run));
  publisher_->Poll(0);
  CUSTHUB_RETURN_IF_ERROR(CommitPipelined());
  if (consumed > 0) processor_->AddBusyTime(WallNowMicros() - started);
  if (!stamps.empty()) {
    probed_.push_back({processor_->next_seq() - 1, std::move(stamps), 0});
  }
  publisher_->Poll(0);
  ReportPublished();
  if (metrics_ != nullptr) {
    UpdateMetrics(consumed > 0 ? WallNowMicros() - started : -1, oldest_ms,
                  newest_ms);
  }
  if (!ready_.load(std::memory_order_relaxed)) CheckReady();
  return consumed;
}

absl::Status Hub::ThrottleInput() {
  kafka::Consumer::Partitions pause, resume;
  // Records after the newest held one are on the broker (its high
  // watermark as the last fetch saw it) and its end is not yet reported.
  merge_.Throttle(
      &pause, &resume, [this](const auto& tp, const PolledRecord& newest) {
        auto marks =
            kafka::CachedWatermarks(consumer_->handle(), tp.first, tp.second);
        return marks.ok() && newest.offset() + 1 < marks->second;
      });
  CUSTHUB_RETURN_IF_ERROR(consumer_->Pause(pause));
  return consumer_->Resume(resume);
}

void Hub::ReportMergeEscapes(const MergeStats& before, Micros at) {
  const MergeStats& now = merge_.stats();
  if (now.waits_expired > before.waits_expired) {
    Log(LogLevel::kWarn, "fault",
        {{"kind", "partition silent"},
         {"detail",
          "went ahead without a partition that neither delivered "
          "nor reported its end; input order may differ from a "
          "replay's"},
         {"partitions",
          absl::StrCat(now.waits_expired - before.waits_expired)}});
  }
  // A backlog can keep the merge full for minutes: reported as it goes
  // on, not only the first time.
  if (uint64_t n = forced_report_.Due(now.forced, at)) {
    Log(LogLevel::kWarn, "fault",
        {{"kind", "merge buffer full"},
         {"detail",
          "released records before every partition was known; "
          "input order may differ from a replay's"},
         {"records", absl::StrCat(n)}});
  }
}

absl::Status Hub::AdvanceWhenIdle(bool idle, Micros now) {
  if (options_.advance_when_idle <= 0 || !idle) return absl::OkStatus();
  if (now - last_input_at_ < options_.advance_when_idle)
    return absl::OkStatus();
  if (now - last_advance_at_ < kMicrosPerSecond) return absl::OkStatus();
  last_advance_at_ = now;
  if (processor_->AdvanceStreamTime(now)) {
    CUSTHUB_RETURN_IF_ERROR(CommitAndPublish());
  }
  return absl::OkStatus();
}

absl::Status Hub::LoadStartWatermarks(int timeout_ms) {
  std::map<std::pair<std::string, int32_t>, std::pair<int64_t, int64_t>> wms;
  for (const auto& tp : assignment_) {
    auto& wm = wms[std::make_pair(tp.topic, tp.partition)];
    CUSTHUB_ASSIGN_OR_RETURN(
        wm, kafka::Watermarks(consumer_->handle(), tp.topic, tp.partition,
                              timeout_ms));
  }
  start_watermarks_ = std::move(wms);
  start_watermarks_known_ = true;
  return absl::OkStatus();
}

void Hub::CheckReady() {
  if (!start_watermarks_known_) {
    // The query failed at start (logged); retry at most once a second.
    Micros now = WallNowMicros();
    if (now - last_watermark_try_ < kMicrosPerSecond) return;
    last_watermark_try_ = now;
    if (!LoadStartWatermarks(1000).ok()) return;
  }
  const auto& committed = processor_->committed_offsets();
  for (const auto& [tp, wm] : start_watermarks_) {
    if (wm.second <= wm.first) continue;  // nothing to read there
    auto it = committed.find(tp);
    if (it == committed.end() || it->second < wm.second) return;
  }
  ready_.store(true, std::memory_order_release);
  Log(LogLevel::kInfo, "caught up",
      {{"records", absl::StrCat(processor_->stats().records)},
       {"partitions", absl::StrCat(start_watermarks_.size())},
       {"seconds", absl::StrCat((WallNowMicros() - started_at_) / 1e6)}});
}

void Hub::ReportPublished() {
  if (probed_.empty()) return;
  Micros now = WallNowMicros();
  for (Probed& p : probed_) {
    if (p.sent_at != 0) continue;
    if (publisher_->newest_sent() < p.last_seq) break;
    p.sent_at = now;
  }
  while (!probed_.empty() && probed_.front().sent_at != 0 &&
         publisher_->oldest_in_flight() > probed_.front().last_seq) {
    if (probe_) probe_(probed_.front().timestamps_ms, probed_.front().sent_at);
    probed_.pop_front();
  }
}

absl::Status Hub::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    CUSTHUB_ASSIGN_OR_RETURN(size_t n, RunOnce());
    (void)n;
  }
  Log(LogLevel::kInfo, "stopping: publishing what is left");
  return Drain(10000);
}

absl::Status Hub::Drain(int timeout_ms) {
  CUSTHUB_RETURN_IF_ERROR(FinishAndPublish());
  absl::Status flushed = publisher_->Flush(timeout_ms);
  CUSTHUB_RETURN_IF_ERROR(CommitAndPublish());
  if (!flushed.ok()) {
    Log(LogLevel::kWarn, "stopping with outputs unconfirmed",
        {{"detail", std::string(flushed.message())}});
  }
  return absl::OkStatus();
}

absl::StatusOr<
    std::map<std::pair<std::string, int32_t>, std::pair<int64_t, int64_t>>>
Hub::Watermarks() {
  std::map<std::pair<std::string, int32_t>, std::pair<int64_t, int64_t>> out;
  for (const auto& tp : assignment_) {
    CUSTHUB_ASSIGN_OR_RETURN(
        auto wm,
        kafka::Watermarks(consumer_->handle(), tp.topic, tp.partition, 5000));
    out[{tp.topic, tp.partition}] = wm;
  }
  return out;
}

absl::StatusOr<bool> Hub::CaughtUp() {
  if (publisher_->InFlight() > 0 || processor_->HasPending() ||
      processor_->CommitInFlight()) {
    return false;
  }
  const auto& committed = processor_->committed_offsets();
  for (const auto& tp : assignment_) {
    CUSTHUB_ASSIGN_OR_RETURN(
        auto wm,
        kafka::Watermarks(consumer_->handle(), tp.topic, tp.partition, 5000));
    auto it = committed.find({tp.topic, tp.partition});
    int64_t next = it == committed.end() ? wm.first : it->second;
    if (next < wm.second) return false;
  }
  return true;
}

}  // namespace custhub::streams
