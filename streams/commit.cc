// The commit half of the batch processor: a folded batch becomes one
// StateBatch (state, ledgers, identifiers, timers, timeline, triggers,
// offsets and the batch's outbox entry), written while the next batch folds
// (StartCommit / FinishCommit), then its customers go to the state cache.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <iterator>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "proto/deterministic.h"
#include "src/common/status.h"
#include "src/common/worker.h"
#include "src/profile/fold.h"
#include "src/profile/traits.h"
#include "src/publish/destinations.h"
#include "src/publish/outputs.h"
#include "src/rules/rules.h"
#include "streams/meta_keys.h"
#include "streams/outbox_blob.h"
#include "streams/processor.h"

namespace custhub::streams {
namespace {

namespace v1 = custhub::v1;
using store::Cf;

// Appends `record` to an outbox entry as one slot, serialised in place.
void AppendRecordSlot(const v1::OutboxRecord& record, std::string* blob) {
  size_t n = record.ByteSizeLong();
  google::protobuf::io::ArrayOutputStream aos(AppendOutboxBlobSlot(blob, n),
                                              static_cast<int>(n));
  google::protobuf::io::CodedOutputStream cos(&aos);
  cos.SetSerializationDeterministic(true);
  record.SerializeWithCachedSizes(&cos);
}

}  // namespace

v1::OutboxRecord Outbound::Record() const {
  v1::OutboxRecord r;
  if (!r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    r.Clear();
  }
  return r;
}

void BatchProcessor::Render(const v1::OutboxRecord& record,
                            Rendered* out) const {
  if (!options_.publish) return;
  AppendRecordSlot(record, &out->slots);
  ++out->count;
}

void BatchProcessor::DeleteDelivered(const std::vector<uint64_t>& delivered,
                                     store::StateBatch* batch,
                                     std::vector<uint64_t>* done) {
  for (uint64_t seq : delivered) {
    auto it = open_blobs_.upper_bound(seq);
    if (it == open_blobs_.begin()) continue;
    --it;
    if (seq < it->second.end) ++it->second.confirmed;
  }
  // Entries go oldest first only. A restart re-sends every stored entry in
  // order; were a newer entry gone while an older one stayed (a record of
  // it unconfirmed on another partition), the older entry's records would
  // land after the newer values of the same keys, and a stale profile would
  // end up newest on its topic.
  for (auto& [first, blob] : open_blobs_) {
    if (blob.confirmed < blob.end - first) break;
    if (blob.deleting) continue;
    blob.deleting = true;
    batch->Delete(Cf::kOutbox, store::EncodeBigEndian64(first));
    done->push_back(first);
  }
}

absl::Status BatchProcessor::Commit(const std::vector<uint64_t>& delivered,
                                    std::vector<Outbound>* outputs) {
  // A batch still in flight from StartCommit goes first, outputs included.
  std::vector<Outbound> before;
  CUSTHUB_RETURN_IF_ERROR(FinishCommit(&before));
  CUSTHUB_RETURN_IF_ERROR(StartCommit(delivered));
  CUSTHUB_RETURN_IF_ERROR(FinishCommit(outputs));
  outputs->insert(outputs->begin(), std::make_move_iterator(before.begin()),
                  std::make_move_iterator(before.end()));
  return absl::OkStatus();
}

absl::Status BatchProcessor::StartCommit(
    const std::vector<uint64_t>& delivered) {
  if (in_flight_ != nullptr) {
    return absl::FailedPreconditionError(
        "StartCommit: the batch before is not finished");
  }
  CUSTHUB_RETURN_IF_ERROR(FireDueTimers());
  // Reused: its buffer keeps its capacity, so the next batch does not fault
  // in tens of MiB of fresh pages.
  store::StateBatch& batch = batch_;
  batch.Clear();
  uint64_t first_seq = next_seq_;
  // The batch's outbox entry: a new string per batch, since its outputs
  // are sent from it until the broker confirms them.
  auto blob = std::make_shared<std::string>();
  blob->reserve(last_blob_size_ + last_blob_size_ / 8);
  StartOutboxBlob(blob.get());
  auto emit = [&](const v1::OutboxRecord& record) {
    if (!options_.publish) return;
    AppendRecordSlot(record, blob.get());
    ++next_seq_;
  };
  // Outputs rendered ahead (on both threads), in order.
  auto emit_rendered = [&](const Rendered& r) {
    if (!options_.publish) return;
    blob->append(r.slots);
    next_seq_ += r.count;
  };
  for (const auto& record : dlq_) emit(record);
  std::vector<v1::OutboxRecord> erasure_records;
  WriteErasures(&batch, &erasure_records);
  const bool names_erased = options_.publish && !erasure_records.empty();
  for (const auto& record : erasure_records) emit(record);
  std::vector<Rendered> trigger_outputs;
  WriteTriggers(&batch, &trigger_outputs);
  for (auto& r : trigger_outputs) emit_rendered(r);
  // Merged-away and renamed customers: the old id is gone (tombstone) and
  // the change is announced on customer.identity.
  for (const auto& r : retired_) {
    if (customers_.contains(r.from)) continue;  // revived within the batch
    batch.Delete(Cf::kProfiles, r.from);
    batch.Delete(Cf::kRules, r.from);
    emit(publish::ProfileTombstone(r.from, options_.outputs));
    v1::IdentityChange change;
    change.set_survivor_id(r.to);
    change.add_absorbed_ids(r.from);
    change.set_linked_by(r.linked_by);
    change.mutable_at()->set_seconds(r.at / kMicrosPerSecond);
    emit(publish::IdentityChangeRecord(change, options_.outputs,
                                       options_.format));
  }
  // Customers in id order, so the outbox order does not depend on hashing.
  std::vector<std::string> dirty;
  for (auto& [id, slot] : customers_) {
    if (slot.dirty) dirty.push_back(id);
  }
  std::sort(dirty.begin(), dirty.end());
  // Each customer's final state, bytes and outputs, rendered on both
  // threads (a customer's work touches only its own slot); then stored and
  // emitted in id order here.
  struct Written {
    CustomerSlot* slot = nullptr;
    std::optional<Micros> due;
    std::string state_bytes, rules_bytes;
    Rendered outputs;
  };
  std::vector<Written> written(dirty.size());
  for (size_t i = 0; i < dirty.size(); ++i) {
    written[i].slot = &customers_.find(dirty[i])->second;
  }
  ForEachOnBoth(second(), dirty.size(), [&](size_t i) {
    Written& w = written[i];
    v1::CustomerState& state = *w.slot->state;
    if (w.slot->rules_only) {
      w.due = rules::NextDue(state);
      w.rules_bytes = DeterministicBytes(state.rules());
      return;
    }
    profile::Finalize(&state);
    // Traits as of the customer's newest event, from the final state, so
    // they do not depend on which event happened to fold last.
    profile::ComputeTraits(options_.rules.traits, state.last_event_micros(),
                           &state);
    w.due = rules::NextDue(state);
    // What each destination got last is kept as digests in the rules
    // state, so the customer's old profile is never rendered again. A new
    // customer (or state from before the digests) has none: every body goes.
    std::vector<v1::OutboxRecord> destination_records;
    if (options_.publish) {
      v1::PublishedBodies* sent = state.mutable_rules()->mutable_published();
      publish::BodyHashes was{sent->crm(), sent->esp_profile(), sent->erp()};
      publish::BodyHashes now;
      destination_records = publish::ChangedDestinationRecords(
          options_.destinations, &was, state.profile(), &now);
      sent->set_crm(now.crm);
      sent->set_esp_profile(now.esp_profile);
      sent->set_erp(now.erp);
    }
    // On the state's arena, so the swaps move pointers, not fields.
    auto* rules_state = google::protobuf::Arena::CreateMessage<v1::RulesState>(
        state.GetArena());
    rules_state->Swap(state.mutable_rules());
    w.state_bytes = DeterministicBytes(state);
    w.rules_bytes = DeterministicBytes(*rules_state);
    rules_state->Swap(state.mutable_rules());
    if (!options_.publish) return;  // a replay: nothing to render
    Render(publish::ProfileRecord(state.profile(), options_.outputs,
                                  options_.format),
           &w.outputs);
    for (const auto& r : destination_records) Render(r, &w.outputs);
  });
  std::vector<std::pair<Micros, std::string>> new_due;
  for (size_t i = 0; i < dirty.size(); ++i) {
    const std::string& id = dirty[i];
    Written& w = written[i];
    // Keep the timer index in step with the customer's next due timer.
    if (w.due != w.slot->indexed_due) {
      if (w.slot->indexed_due)
        stale_due_.emplace_back(*w.slot->indexed_due, id);
      if (w.due) new_due.emplace_back(*w.due, id);
    }
    if (!w.slot->rules_only) {
      batch.Put(Cf::kProfiles, id, w.state_bytes);
      w.slot->stored_profile = std::move(w.state_bytes);
    }
    batch.Put(Cf::kRules, id, w.rules_bytes);
    w.slot->stored_rules = std::move(w.rules_bytes);
    emit_rendered(w.outputs);
  }
  DropLegacyDueIndex(&batch);
  for (const auto& [key, slot] : orders_) {
    if (slot.dirty)
      batch.Put(Cf::kLedgers, key, DeterministicBytes(slot.entry));
  }
  for (const auto& [key, slot] : tickets_) {
    if (slot.dirty)
      batch.Put(Cf::kLedgers, key, DeterministicBytes(slot.entry));
  }
  for (const auto& [key, id] : identifiers_) {
    batch.Put(Cf::kIdentifiers, key, id);
  }
  for (const auto& key : dirty_links_) {
    // Bookkeeping, not customer state: kept out of the digest, since how
    // many links an identifier made depends on the order records came in.
    batch.Put(Cf::kMeta, "links|" + key, absl::StrCat(links_[key]));
  }
  seen_.Commit(new_seen_, SeenExpiry(), &batch);
  // Each id moves straight to where its chain of later moves ends (A merged
  // into B, then B renamed to C: A goes to C). Moving A to B first would put
  // A's entries under B, where B's own move then range-deletes them.
  std::vector<std::string> final_to(moved_timelines_.size());
  absl::flat_hash_map<std::string, std::string> ends;  // from -> end
  for (size_t i = moved_timelines_.size(); i-- > 0;) {
    const auto& [from, to] = moved_timelines_[i];
    auto later = ends.find(to);
    final_to[i] = later == ends.end() ? to : later->second;
    ends[from] = final_to[i];
  }
  for (size_t i = 0; i < moved_timelines_.size(); ++i) {
    CUSTHUB_RETURN_IF_ERROR(
        MoveTimeline(moved_timelines_[i].first, final_to[i], &batch));
  }
  WriteTimeline(&batch);
  for (const auto& [tp, next] : offsets_) {
    batch.PutOffset(tp.first, tp.second, next);
  }
  // Each output points at its bytes in the entry, now that it is whole.
  std::vector<Outbound> out;
  out.reserve(next_seq_ - first_seq);
  ForEachInOutboxBlob(*blob, [&](absl::string_view bytes) {
    out.push_back(Outbound{first_seq + out.size(), bytes, blob});
  });
  if (next_seq_ > first_seq) {
    // The entry stays untouched and alive (in_flight_) until FinishCommit
    // has awaited this write.
    batch.PutReferenced(Cf::kOutbox, store::EncodeBigEndian64(first_seq),
                        *blob);
    last_blob_size_ = blob->size();
  }
  std::vector<uint64_t> done;
  DeleteDelivered(delivered, &batch, &done);
  batch.Put(Cf::kMeta, kNextSeqKey, store::EncodeBigEndian64(next_seq_));
  for (auto& [tp, t] : partition_time_) {
    if (!t.moved) continue;
    t.moved = false;
    batch.Put(Cf::kMeta, absl::StrCat(kPartitionTimePrefix, tp),
              store::EncodeBigEndian64(static_cast<uint64_t>(t.at)));
  }
  batch.Put(Cf::kMeta, kStreamTimeKey,
            store::EncodeBigEndian64(static_cast<uint64_t>(stream_time_)));
  // The write runs on the store's writer thread while this thread hands
  // the batch's customers to the cache and, after StartCommit returns,
  // folds the next batch (Get reads through the batch being written). A
  // failed write takes both caches back to empty.
  // The timer index follows the batch: entries that no longer hold go
  // before the new ones, so an entry both dropped and added stays.
  for (const auto& entry : stale_due_) due_index_.erase(entry);
  for (auto& entry : new_due) due_index_.insert(std::move(entry));
  store_->WriteAsync(batch);
  KeepCommitted();
  auto c = std::make_unique<InFlightCommit>();
  c->first_seq = first_seq;
  c->end_seq = next_seq_;
  c->blob = std::move(blob);
  c->outputs = std::move(out);
  c->done = std::move(done);
  c->names_erased = names_erased;
  c->offsets = std::move(offsets_);
  c->profiles = static_cast<size_t>(
      std::count_if(written.begin(), written.end(),
                    [](const Written& w) { return !w.slot->rules_only; }));
  in_flight_ = std::move(c);
  Abandon();
  return absl::OkStatus();
}

absl::Status BatchProcessor::FinishCommit(std::vector<Outbound>* outputs) {
  outputs->clear();
  if (in_flight_ == nullptr) return absl::OkStatus();
  std::unique_ptr<InFlightCommit> c = std::move(in_flight_);
  absl::Status s = store_->Await();
  if (!s.ok()) {
    next_seq_ = c->first_seq;
    customer_cache_.Clear();
    identifier_cache_.Clear();
    due_index_loaded_ = false;
    seen_.Unload();
    return s;
  }
  for (const auto& [tp, next] : c->offsets) committed_offsets_[tp] = next;
  if (c->end_seq > c->first_seq) open_blobs_[c->first_seq] = {c->end_seq, 0};
  if (c->names_erased) naming_erased_.insert(c->first_seq);
  bool compact_outbox = false;
  for (uint64_t first : c->done) {
    open_blobs_.erase(first);
    compact_outbox |= naming_erased_.erase(first) > 0;
  }

  SetExpiries();
  stats_.profiles_published += c->profiles;
  ++stats_.batches;
  *outputs = std::move(c->outputs);
  // An erasure's outputs are delivered and their entry deleted: compact it
  // off the disk too.
  if (compact_outbox) return store_->CompactFamily(Cf::kOutbox);
  return absl::OkStatus();
}

void BatchProcessor::KeepCommitted() {
  if (!erased_customers_.empty() || !erased_keys_.empty()) {
    // Erasure deletes identifiers, ledgers and customers by scanning the
    // store; rare enough to start both caches afresh.
    customer_cache_.Clear();
    identifier_cache_.Clear();
    return;
  }
  for (const auto& r : retired_) {
    if (!customers_.contains(r.from)) customer_cache_.Erase(CacheKey(r.from));
  }
  // Only written slots: a slot loaded but left clean may differ from what
  // RocksDB holds (a failed fold after its timers fired), and RocksDB wins.
  for (auto& [id, slot] : customers_) {
    if (!slot.dirty) continue;
    customer_cache_.Put(CacheKey(id),
                        CachedCustomer{std::move(slot.stored_profile),
                                       std::move(slot.stored_rules)});
  }
  for (const auto& [key, id] : identifiers_) identifier_cache_.Put(key, id);
}

}  // namespace custhub::streams
