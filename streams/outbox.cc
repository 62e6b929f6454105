#include "streams/outbox.h"

#include "absl/strings/str_cat.h"
#include "src/common/log.h"
#include "src/common/status.h"
#include "src/common/time.h"
#include "streams/outbox_blob.h"
#include "streams/outbox_record.h"

namespace custhub::streams {
namespace {

constexpr Micros kRetryBackoff = 500'000;

}  // namespace

absl::StatusOr<std::unique_ptr<OutboxPublisher>> OutboxPublisher::Create(
    const kafka::ClientOptions& options, const std::string& transactional_id) {
  std::unique_ptr<OutboxPublisher> p(new OutboxPublisher());
  OutboxPublisher* raw = p.get();
  kafka::ClientOptions o = options;
  if (!transactional_id.empty()) {
    o.properties["transactional.id"] = transactional_id;
    p->transactional_ = true;
  }
  CUSTHUB_ASSIGN_OR_RETURN(
      p->producer_,
      kafka::Producer::Create(o, [raw](uint64_t seq, absl::Status s) {
        raw->OnDelivery(seq, std::move(s));
      }));
  if (p->transactional_) {
    CUSTHUB_RETURN_IF_ERROR(p->producer_->InitTransactions(30000));
  }
  return p;
}

absl::Status OutboxPublisher::SendInTransaction(std::vector<uint64_t> seqs) {
  if (seqs.empty()) return absl::OkStatus();
  CUSTHUB_RETURN_IF_ERROR(producer_->BeginTransaction());
  for (uint64_t seq : seqs) {
    absl::Status s = producer_->ProduceView(pending_.at(seq).view, seq);
    while (absl::IsResourceExhausted(s)) {
      producer_->Poll(50);
      s = producer_->ProduceView(pending_.at(seq).view, seq);
    }
    if (!s.ok()) {
      IgnoreError(producer_->AbortTransaction(30000),
                  "the transaction failed already; its records stay pending");
      return s;
    }
  }
  absl::Status committed = producer_->CommitTransaction(60000);
  if (!committed.ok()) {
    IgnoreError(producer_->AbortTransaction(30000),
                "aborting after a failed commit; the records stay pending");
    in_transaction_.clear();
    return committed;
  }
  // Visible to read_committed consumers only now: count them delivered.
  for (uint64_t seq : in_transaction_) {
    pending_.erase(seq);
    delivered_.push_back(seq);
    ++delivered_total_;
  }
  in_transaction_.clear();
  return absl::OkStatus();
}

OutboxPublisher::~OutboxPublisher() {
  producer_.reset();  // before pending_ goes: deliveries may still report
}

absl::Status OutboxPublisher::Recover(store::StateStore* store) {
  std::vector<Outbound> left;
  absl::Status parse_error;
  CUSTHUB_RETURN_IF_ERROR(store->ForEach(
      store::Cf::kOutbox, "", [&](absl::string_view k, absl::string_view v) {
        uint64_t seq = store::DecodeBigEndian64(k);
        // Sent from a copy of the entry, alive until its outputs are.
        auto entry = std::make_shared<const std::string>(v);
        bool whole = ForEachInOutboxBlob(*entry, [&](absl::string_view bytes) {
          kafka::OutRecordView view;
          if (!ParseOutboxRecordView(bytes, &view)) {
            parse_error = absl::DataLossError(
                absl::StrCat("outbox entry ", seq, " is corrupt"));
          }
          left.push_back(Outbound{seq++, bytes, entry});
        });
        if (!whole) {
          parse_error = absl::DataLossError(absl::StrCat(
              "outbox entry ", store::DecodeBigEndian64(k), " is truncated"));
        }
        return parse_error.ok();
      }));
  CUSTHUB_RETURN_IF_ERROR(parse_error);
  if (!left.empty()) {
    Log(LogLevel::kInfo, "re-sending unconfirmed outputs",
        {{"count", absl::StrCat(left.size())}});
  }
  return Send(std::move(left));
}

absl::Status OutboxPublisher::Send(std::vector<Outbound> records) {
  std::vector<uint64_t> seqs;
  for (auto& o : records) {
    if (pending_.contains(o.seq)) continue;
    Pending p;
    if (!ParseOutboxRecordView(o.bytes, &p.view)) {
      return absl::DataLossError(
          absl::StrCat("output ", o.seq, " is not an outbox record"));
    }
    p.entry = std::move(o.entry);
    pending_.emplace(o.seq, std::move(p));
    newest_sent_ = std::max(newest_sent_, o.seq);
    if (transactional_) {
      seqs.push_back(o.seq);
    } else {
      CUSTHUB_RETURN_IF_ERROR(Produce(o.seq));
    }
  }
  return transactional_ ? SendInTransaction(std::move(seqs)) : absl::OkStatus();
}

absl::Status OutboxPublisher::Produce(uint64_t seq) {
  // pending_ keeps the record's outbox entry until its delivery report:
  // librdkafka points at the value instead of copying it.
  const kafka::OutRecordView& r = pending_.at(seq).view;
  for (;;) {
    absl::Status s = producer_->ProduceView(r, seq);
    if (!absl::IsResourceExhausted(s)) return s;
    producer_->Poll(50);  // local queue full: let deliveries drain
  }
}

void OutboxPublisher::OnDelivery(uint64_t seq, absl::Status status) {
  if (!pending_.contains(seq)) return;
  if (status.ok() && transactional_) {
    in_transaction_.push_back(seq);  // delivered when the transaction commits
    return;
  }
  if (status.ok()) {
    pending_.erase(seq);
    delivered_.push_back(seq);
    ++delivered_total_;
    return;
  }
  ++failed_total_;
  Log(LogLevel::kWarn, "output not delivered, will retry",
      {{"topic", std::string(pending_.at(seq).view.topic)},
       {"error", std::string(status.message())}});
  retry_.push_back(seq);
  retry_after_micros_ = WallNowMicros() + kRetryBackoff;
}

void OutboxPublisher::Poll(int timeout_ms) {
  producer_->Poll(timeout_ms);
  if (!retry_.empty() && WallNowMicros() >= retry_after_micros_ &&
      transactional_) {
    std::vector<uint64_t> again(retry_.begin(), retry_.end());
    retry_.clear();
    if (!SendInTransaction(again).ok()) {
      retry_.insert(retry_.end(), again.begin(), again.end());
      retry_after_micros_ = WallNowMicros() + kRetryBackoff;
    }
  }
  if (!retry_.empty() && WallNowMicros() >= retry_after_micros_) {
    std::deque<uint64_t> again;
    again.swap(retry_);
    for (uint64_t seq : again) {
      absl::Status s = Produce(seq);
      if (!s.ok()) {
        retry_.push_back(seq);
        retry_after_micros_ = WallNowMicros() + kRetryBackoff;
      }
    }
  }
}

std::vector<uint64_t> OutboxPublisher::TakeDelivered() {
  std::vector<uint64_t> out;
  out.swap(delivered_);
  return out;
}

absl::Status OutboxPublisher::Flush(int timeout_ms) {
  Micros deadline = WallNowMicros() + static_cast<Micros>(timeout_ms) * 1000;
  while (!pending_.empty() && WallNowMicros() < deadline) Poll(50);
  if (!pending_.empty()) {
    return absl::DeadlineExceededError(absl::StrCat(
        pending_.size(), " outputs unconfirmed; they stay in the outbox"));
  }
  return absl::OkStatus();
}

}  // namespace custhub::streams
