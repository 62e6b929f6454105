#include "streams/processor.h"

#include <algorithm>
#include <atomic>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "connectors/common/validate.h"
#include "connectors/decode.h"
#include "custhub/v1/identity.pb.h"
#include "src/common/log.h"
#include "src/common/status.h"
#include "src/common/worker.h"
#include "src/identity/identifiers.h"
#include "src/identity/policy.h"
#include "src/profile/fold.h"
#include "src/profile/traits.h"
#include "src/publish/outputs.h"
#include "src/rules/rules.h"
#include "streams/meta_keys.h"
#include "streams/outbox_blob.h"

namespace custhub::streams {
namespace {

namespace v1 = custhub::v1;
using store::Cf;

absl::string_view HeaderOf(const InputRecord& r, absl::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

// What Add decodes from a record: its events, prepared, or why it goes to
// the DLQ. Pure, so AddAll runs it on the worker ahead of the fold.
absl::StatusOr<std::vector<PreparedEvent>> DecodeRecord(
    const InputRecord& r, const ProcessorOptions& options) {
  if (r.value.size() > options.max_body_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("body: ", r.value.size(), " bytes exceeds the limit of ",
                     options.max_body_bytes));
  }
  connectors::RawRecord raw{r.topic,
                            r.value,
                            HeaderOf(r, "source"),
                            HeaderOf(r, "event-type"),
                            HeaderOf(r, "event-id"),
                            HeaderOf(r, "content-type"),
                            r.timestamp_ms};
  CUSTHUB_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                           connectors::Decode(raw, options.decode));
  std::vector<PreparedEvent> prepared(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    PreparedEvent& p = prepared[i];
    p.event = std::move(events[i]);
    // Validation guarantees occurred_at parses.
    p.at = *ParseRfc3339(p.event.occurred_at());
    p.seen_id = SeenIds::IdOf(p.event.source(), p.event.event_id());
    if (!connectors::IsBareDeletion(p.event) &&
        p.event.payload_case() != v1::Event::kRefund) {
      identity::DropBlocked(p.event.mutable_identifiers(), options.identity);
      p.keys = identity::UsableKeys(p.event.identifiers(), options.identity);
    }
    if (options.timeline_retention > 0) {
      p.timeline = TimelineItemOf(p.event, p.at);
    }
  }
  return prepared;
}

std::string ReasonClass(absl::string_view reason) {
  size_t colon = reason.find(':');
  return std::string(reason.substr(0, std::min<size_t>(colon, 64)));
}

}  // namespace

BatchProcessor::BatchProcessor(store::StateStore* store,
                               ProcessorOptions options)
    : store_(store),
      options_(std::move(options)),
      customer_cache_(options_.cached_customers),
      identifier_cache_(options_.cached_identifiers) {}

BatchProcessor::~BatchProcessor() {
  // A write in flight reads batch_: it lands (or fails) before batch_ goes.
  if (in_flight_ != nullptr) store_->Await().IgnoreError();
}

absl::Status BatchProcessor::Init() {
  CUSTHUB_ASSIGN_OR_RETURN(auto seq, store_->Get(Cf::kMeta, kNextSeqKey));
  if (seq.has_value()) next_seq_ = store::DecodeBigEndian64(*seq);
  CUSTHUB_ASSIGN_OR_RETURN(auto st, store_->Get(Cf::kMeta, kStreamTimeKey));
  if (st.has_value()) {
    stream_time_ = static_cast<Micros>(store::DecodeBigEndian64(*st));
  }
  CUSTHUB_RETURN_IF_ERROR(store_->ForEach(
      Cf::kMeta, kPartitionTimePrefix,
      [&](absl::string_view k, absl::string_view v) {
        partition_time_[std::string(k.substr(kPartitionTimePrefix.size()))].at =
            static_cast<Micros>(store::DecodeBigEndian64(v));
        return true;
      }));
  SetExpiries();
  store_->SetLogWindow(options_.timeline_retention);
  CUSTHUB_RETURN_IF_ERROR(MigrateTimeline());
  CUSTHUB_RETURN_IF_ERROR(seen_.Load(store_));
  CUSTHUB_RETURN_IF_ERROR(LoadOpenBlobs());
  return LoadErased();
}

absl::Status BatchProcessor::LoadOpenBlobs() {
  open_blobs_.clear();
  naming_erased_.clear();
  bool damaged = false;
  CUSTHUB_RETURN_IF_ERROR(store_->ForEach(
      Cf::kOutbox, "", [&](absl::string_view k, absl::string_view v) {
        uint64_t first = store::DecodeBigEndian64(k);
        uint64_t n = 0;
        damaged = !ForEachInOutboxBlob(v, [&](absl::string_view) { ++n; });
        open_blobs_[first] = {first + n, 0};
        naming_erased_.insert(first);
        return !damaged;
      }));
  if (damaged) return absl::DataLossError("outbox: an entry is truncated");
  return absl::OkStatus();
}

void BatchProcessor::SendToDlq(const InputRecord& r,
                               absl::string_view full_reason) {
  // One line: parsers' messages may carry newlines and context.
  absl::string_view reason = full_reason.substr(0, full_reason.find('\n'));
  publish::OriginalRecord original{r.topic, r.partition, r.offset,
                                   r.key,   r.value,     r.headers};
  dlq_.push_back(publish::DlqRecord(original, reason, options_.outputs));
  ++stats_.dlq;
  ++stats_.dlq_by_reason[ReasonClass(reason)];
  Log(LogLevel::kWarn, "record to DLQ",
      {{"topic", std::string(r.topic)},
       {"partition", absl::StrCat(r.partition)},
       {"offset", absl::StrCat(r.offset)},
       {"reason", std::string(reason.substr(0, 200))}});
}

Worker& BatchProcessor::worker() {
  if (worker_ == nullptr) worker_ = std::make_unique<Worker>();
  return *worker_;
}

absl::Status BatchProcessor::Add(const InputRecord& r) {
  return AddDecoded(r, DecodeRecord(r, options_));
}

absl::Status BatchProcessor::AddAll(const std::vector<InputRecord>& records) {
  // A thread handover costs more than decoding a few records.
  constexpr size_t kAheadFrom = 64;
  // The decoder publishes its progress every kStep records.
  constexpr size_t kStep = 16;
  const size_t n = records.size();
  if (n < kAheadFrom || !options_.second_thread) {
    for (const auto& r : records) CUSTHUB_RETURN_IF_ERROR(Add(r));
    return absl::OkStatus();
  }
  std::vector<absl::StatusOr<std::vector<PreparedEvent>>> decoded(n);
  std::atomic<size_t> ready{0};
  std::atomic<bool> stop{false};
  worker().Run([&] {
    for (size_t i = 0; i < n && !stop.load(std::memory_order_relaxed); ++i) {
      decoded[i] = DecodeRecord(records[i], options_);
      if ((i + 1) % kStep == 0 || i + 1 == n) {
        ready.store(i + 1, std::memory_order_release);
        ready.notify_one();
      }
    }
  });
  absl::Status status;
  for (size_t i = 0; i < n && status.ok(); ++i) {
    for (size_t r = ready.load(std::memory_order_acquire); r <= i;
         r = ready.load(std::memory_order_acquire)) {
      ready.wait(r, std::memory_order_acquire);
    }
    status = AddDecoded(records[i], std::move(decoded[i]));
  }
  stop.store(true, std::memory_order_relaxed);
  worker_->Wait();  // `decoded` is the decoder's until it returns
  return status;
}

absl::Status BatchProcessor::AddDecoded(
    const InputRecord& r, absl::StatusOr<std::vector<PreparedEvent>> events) {
  ++stats_.records;
  ++pending_records_;
  offsets_[{std::string(r.topic), r.partition}] = r.offset + 1;
  if (!events.ok()) {
    SendToDlq(r, events.status().message());
    return absl::OkStatus();
  }
  std::string first_error;
  // How far this partition has come in event time: retries of a webhook
  // come on its partition, so the dedup window is measured there.
  PartitionTime* partition_time = nullptr;
  if (!events->empty()) {
    auto [it, added] =
        partition_time_.try_emplace(absl::StrCat(r.topic, "|", r.partition));
    partition_time = &it->second;
    partition_time->moved |= added;
  }
  for (auto& prepared : *events) {
    const v1::Event& event = prepared.event;
    Micros at = prepared.at;
    if (at > partition_time->at) {
      partition_time->at = at;
      partition_time->moved = true;
    }
    CUSTHUB_ASSIGN_OR_RETURN(bool seen, SeenBefore(prepared));
    if (seen) {
      ++stats_.duplicates;
      continue;
    }
    absl::Status s = FoldEvent(prepared);
    if (s.ok()) {
      stream_time_ = std::max(stream_time_, at);
      // Seen as of its partition's time, so a backfilled old event is still
      // remembered for a whole window.
      new_seen_[prepared.seen_id] = partition_time->at;
      ++stats_.events;
      ++stats_.events_by_type[{event.source(), event.event_type()}];
    } else if (absl::IsUnavailable(s) || absl::IsDataLoss(s) ||
               absl::IsResourceExhausted(s) || absl::IsInternal(s)) {
      return s;  // the store failed: not the record's fault
    } else if (first_error.empty()) {
      first_error = std::string(s.message());
    }
  }
  if (!first_error.empty()) SendToDlq(r, first_error);
  return absl::OkStatus();
}

Micros BatchProcessor::SlowestPartitionTime() const {
  Micros slowest = INT64_MAX;
  const std::string erasure = options_.erasure_topic + "|";
  for (const auto& [tp, t] : partition_time_) {
    if (absl::StartsWith(tp, erasure)) continue;
    slowest = std::min(slowest, t.at);
  }
  return slowest == INT64_MAX ? INT64_MIN : slowest;
}

void BatchProcessor::SetExpiries() {
  // The slowest partition's event time bounds what may still be retried
  // anywhere; one partition racing ahead expires nothing.
  Micros slowest = SlowestPartitionTime();
  if (slowest == INT64_MIN) return;
  store_->SetSeenExpiry(SeenExpiry());
  if (options_.trigger_retention > 0) {
    store_->SetTriggerExpiry(slowest - options_.trigger_retention);
  }
}

Micros BatchProcessor::SeenExpiry() const {
  Micros slowest = SlowestPartitionTime();
  return slowest == INT64_MIN ? INT64_MIN : slowest - options_.dedup_window;
}

absl::StatusOr<bool> BatchProcessor::SeenBefore(const PreparedEvent& prepared) {
  if (new_seen_.contains(prepared.seen_id)) return true;
  if (!seen_.loaded()) CUSTHUB_RETURN_IF_ERROR(seen_.Load(store_));
  std::optional<Micros> seen_at = seen_.Find(prepared.seen_id);
  // Expired but not yet purged: the window has passed.
  return seen_at.has_value() && *seen_at >= SeenExpiry();
}

absl::StatusOr<BatchProcessor::CustomerSlot*> BatchProcessor::LoadCustomer(
    const std::string& id, bool create) {
  auto it = customers_.find(id);
  if (it != customers_.end()) return &it->second;
  if (auto cached = customer_cache_.Take(CacheKey(id))) {
    // As committed: what RocksDB holds.
    return AddLoaded(id, std::move(cached->profile), std::move(cached->rules));
  }
  CUSTHUB_ASSIGN_OR_RETURN(auto bytes, store_->Get(Cf::kProfiles, id));
  if (bytes.has_value()) {
    // Trigger bookkeeping lives apart: which triggers fired depends on how
    // topics interleaved, so it stays out of the state digest.
    CUSTHUB_ASSIGN_OR_RETURN(auto rules_bytes, store_->Get(Cf::kRules, id));
    return AddLoaded(id, std::move(*bytes),
                     rules_bytes.has_value() ? std::move(*rules_bytes) : "");
  }
  if (!create) return nullptr;
  CustomerSlot slot;
  slot.state = NewState();
  slot.state->mutable_profile()->set_customer_id(id);
  ++stats_.customers_created;
  return &customers_.emplace(id, std::move(slot)).first->second;
}

absl::StatusOr<BatchProcessor::CustomerSlot*> BatchProcessor::AddLoaded(
    const std::string& id, std::string profile, std::string rules) {
  CustomerSlot slot;
  slot.state = NewState();
  if (!slot.state->ParseFromString(profile)) {
    return absl::DataLossError(absl::StrCat("profile ", id, " is corrupt"));
  }
  if (!slot.state->mutable_rules()->ParseFromString(rules)) {
    return absl::DataLossError(absl::StrCat("rules of ", id, " are corrupt"));
  }
  slot.indexed_due = rules::NextDue(*slot.state);
  slot.stored_profile = std::move(profile);
  slot.stored_rules = std::move(rules);
  return &customers_.emplace(id, std::move(slot)).first->second;
}

template <typename T>
static absl::StatusOr<T*> LoadLedger(store::StateStore* store,
                                     absl::node_hash_map<std::string, T>& cache,
                                     const std::string& key) {
  auto it = cache.find(key);
  if (it != cache.end()) return &it->second;
  T slot;
  CUSTHUB_ASSIGN_OR_RETURN(auto bytes, store->Get(Cf::kLedgers, key));
  if (bytes.has_value() && !slot.entry.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("ledger entry ", key, " is corrupt"));
  }
  return &cache.emplace(key, std::move(slot)).first->second;
}

absl::StatusOr<BatchProcessor::LedgerSlot<v1::OrderLedgerEntry>*>
BatchProcessor::LoadOrder(const std::string& key) {
  return LoadLedger(store_, orders_, key);
}

absl::StatusOr<BatchProcessor::LedgerSlot<v1::TicketLedgerEntry>*>
BatchProcessor::LoadTicket(const std::string& key) {
  return LoadLedger(store_, tickets_, key);
}

absl::Status BatchProcessor::FoldEvent(PreparedEvent& prepared) {
  const v1::Event& event = prepared.event;
  Micros at = prepared.at;
  if (connectors::IsBareDeletion(event)) {
    CUSTHUB_ASSIGN_OR_RETURN(auto* ledger,
                             LoadOrder(absl::StrCat("o|", event.source(), "|",
                                                    event.order().order_id())));
    CUSTHUB_ASSIGN_OR_RETURN(CustomerSlot * slot, OrderCustomer(ledger->entry));
    if (profile::ApplyOrderDeleted(at, &ledger->entry,
                                   slot ? slot->state : nullptr)) {
      ledger->dirty = true;
      if (slot != nullptr) slot->dirty = true;
    }
    return absl::OkStatus();
  }
  if (event.payload_case() == v1::Event::kRefund) {
    const auto& refund = event.refund();
    CUSTHUB_ASSIGN_OR_RETURN(
        auto* ledger,
        LoadOrder(absl::StrCat("o|", event.source(), "|", refund.order_id())));
    CUSTHUB_ASSIGN_OR_RETURN(CustomerSlot * slot, OrderCustomer(ledger->entry));
    rules::Before before_refund;
    if (slot != nullptr) {
      // As for every event: what stream time passed fires first, wherever
      // the batch ended.
      auto fired = rules::FireDue(
          options_.rules, slot->state,
          rules::StreamTime(options_.rules, std::max(stream_time_, at)));
      if (!fired.empty()) slot->dirty = true;
      AddTriggers(std::move(fired));
      before_refund = rules::BeforeView(*slot->state);
    }
    CUSTHUB_ASSIGN_OR_RETURN(
        bool changed, profile::ApplyRefund(refund, at, &ledger->entry,
                                           slot ? slot->state : nullptr));
    if (!changed) return absl::OkStatus();
    ledger->dirty = true;
    if (slot == nullptr) {
      ++stats_.held_refunds;
    } else {
      slot->dirty = true;
      AddTimeline(slot->state->profile().customer_id(), prepared.timeline);
      profile::Finalize(slot->state);
      AddTriggers(rules::Evaluate(options_.rules, before_refund, slot->state,
                                  event, at));
    }
    return absl::OkStatus();
  }

  // Every other event resolves its customer through its identifiers. The
  // fold checks the payload before it changes anything, so a failure leaves
  // the customer as it was; identifiers attach only on success.
  // (DecodeRecord dropped blocked identifiers and listed the keys.)
  const std::string& explicit_id = event.identifiers().customer_id();
  const std::vector<std::string>& keys = prepared.keys;
  if (keys.empty() && explicit_id.empty()) {
    return absl::InvalidArgumentError(
        "identifiers: only role, placeholder or blocklisted identifiers");
  }
  if (IsErased(keys)) {
    ++stats_.erased_dropped;  // erased customers stay erased
    return absl::OkStatus();
  }
  std::vector<std::string> unowned;
  std::vector<std::pair<std::string, std::string>> owned;  // key, owner
  CUSTHUB_RETURN_IF_ERROR(ResolveCustomer(keys, &owned, &unowned));
  // Timers stream time already passed fire under the customer that owns
  // them before this event can merge it away, as they would have at the
  // end of a batch: which customer a timer fires as must not depend on
  // where batches end.
  Micros stream = rules::StreamTime(options_.rules, std::max(stream_time_, at));
  for (const auto& [key, owner] : owned) {
    CUSTHUB_ASSIGN_OR_RETURN(CustomerSlot * owner_slot,
                             LoadCustomer(owner, /*create=*/false));
    if (owner_slot == nullptr) continue;
    auto fired = rules::FireDue(options_.rules, owner_slot->state, stream);
    if (!fired.empty()) owner_slot->dirty = true;
    AddTriggers(std::move(fired));
  }
  bool derived = explicit_id.empty();
  CUSTHUB_ASSIGN_OR_RETURN(std::string id,
                           ChooseCustomer(keys, owned, explicit_id, at));
  // Ledgers remember the customer by identifier, not by id.
  std::string customer_key = keys.empty() ? "cid:" + id : keys.front();
  CUSTHUB_ASSIGN_OR_RETURN(CustomerSlot * slot, LoadCustomer(id));
  bool is_new = slot->state->first_seen_micros() == 0;
  // Timers due before this event fire first, so a late event never cancels
  // what stream time already passed.
  if (!is_new) AddTriggers(rules::FireDue(options_.rules, slot->state, stream));
  rules::Before before = rules::BeforeView(*slot->state);
  absl::StatusOr<bool> folded = true;
  switch (event.payload_case()) {
    case v1::Event::kOrder: {
      CUSTHUB_ASSIGN_OR_RETURN(
          auto* ledger, LoadOrder(absl::StrCat("o|", event.source(), "|",
                                               event.order().order_id())));
      if (ledger->entry.order_seen()) {
        CUSTHUB_ASSIGN_OR_RETURN(std::string owner,
                                 OwnerOf(ledger->entry.customer_key()));
        if (!owner.empty() && owner != id) {
          folded = absl::FailedPreconditionError(
              absl::StrCat("order.order_id: ", event.order().order_id(),
                           " already belongs to customer ", owner));
          break;
        }
      }
      folded = profile::ApplyOrder(event.order(), at, customer_key,
                                   &ledger->entry, slot->state);
      if (folded.ok() && *folded) ledger->dirty = true;
      break;
    }
    case v1::Event::kTicket: {
      CUSTHUB_ASSIGN_OR_RETURN(
          auto* ledger, LoadTicket(absl::StrCat("t|", event.source(), "|",
                                                event.ticket().ticket_id())));
      folded = profile::ApplyTicket(event.ticket(), at, customer_key,
                                    &ledger->entry, slot->state);
      if (folded.ok() && *folded) ledger->dirty = true;
      break;
    }
    case v1::Event::kCheckout:
      folded = profile::ApplyCheckout(event.checkout(), at, slot->state);
      break;
    case v1::Event::kEmail:
      folded = profile::ApplyEmail(event.email(), at, slot->state);
      break;
    case v1::Event::kConsent:
      folded = profile::ApplyConsent(event.consent(), at, slot->state);
      break;
    case v1::Event::kCustomer:
      if (event.customer().has_accepts_marketing()) {
        v1::ConsentChange c;
        c.set_state(event.customer().accepts_marketing()
                        ? v1::ConsentChange::SUBSCRIBED
                        : v1::ConsentChange::UNSUBSCRIBED);
        folded = profile::ApplyConsent(c, at, slot->state);
      }
      break;
    default:
      folded = absl::InvalidArgumentError("payload: not foldable");
  }
  if (!folded.ok()) {
    if (is_new && !slot->dirty) customers_.erase(id);
    return folded.status();
  }
  if (is_new) slot->state->set_derived_id(derived);
  for (const auto& key : unowned) Attach(key, id, slot->state);
  Micros first_seen = slot->state->first_seen_micros();
  profile::ApplyIdentity(event, at, slot->state);
  slot->dirty = true;
  profile::Finalize(slot->state);
  profile::ComputeTraits(options_.rules.traits,
                         std::max(slot->state->last_event_micros(), at),
                         slot->state);
  AddTriggers(rules::Evaluate(options_.rules, before, slot->state, event, at));
  AddTriggers(rules::FireDue(options_.rules, slot->state, stream));

  // The id belongs to the customer's earliest event (ties: the smaller id),
  // so the same events give the same ids whatever order they fold in.
  if (!is_new && slot->state->derived_id() && !keys.empty()) {
    std::string candidate = identity::CustomerIdFor(keys.front()).value();
    if (candidate != id &&
        (at < first_seen || (at == first_seen && candidate < id))) {
      CUSTHUB_RETURN_IF_ERROR(Rename(id, candidate, keys.front(), at));
      if (!customers_.contains(id)) id = candidate;  // it moved
    }
  }
  AddTimeline(id, prepared.timeline);
  return absl::OkStatus();
}

void BatchProcessor::Abandon() {
  customers_.clear();
  // The batch's customer states go at once (no destructor per message).
  arena_.Reset();
  orders_.clear();
  tickets_.clear();
  identifiers_.clear();
  new_seen_.clear();
  dlq_.clear();
  retired_.clear();
  triggers_.clear();
  stale_due_.clear();
  timeline_.clear();
  moved_timelines_.clear();
  ClearErasures();
  links_.clear();
  dirty_links_.clear();
  offsets_.clear();
  pending_records_ = 0;
  clock_moved_ = false;
}

bool BatchProcessor::AdvanceStreamTime(Micros now) {
  if (now <= stream_time_) return false;
  stream_time_ = now;
  clock_moved_ = true;
  return true;
}

}  // namespace custhub::streams
