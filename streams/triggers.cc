// Triggers from the rules engine: collected while a batch folds, fired from
// durable event-time timers when stream time passes their due time, and
// written with the batch (customer.triggers, the triggers family for the
// API, ESP events).
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "src/common/hash.h"
#include "src/common/log.h"
#include "src/common/status.h"
#include "src/common/time.h"
#include "src/common/worker.h"
#include "src/profile/record.h"
#include "src/profile/timestamp.h"
#include "src/publish/destinations.h"
#include "src/publish/outputs.h"
#include "src/rules/rules.h"
#include "streams/processor.h"

namespace custhub::streams {
namespace {

namespace v1 = custhub::v1;
using store::Cf;

// Where earlier versions kept a persisted copy of the timer index (one key
// per customer with timers, in the meta family); dropped on first use.
constexpr absl::string_view kLegacyDuePrefix = "due|";
constexpr absl::string_view kLegacyDueEnd = "due}";

}  // namespace

absl::Status BatchProcessor::LoadDueIndex() {
  // Each customer's rules record lists its timers, earliest first: the
  // index is those records' first due times, read once at start (~3 s per
  // million customers; logged) instead of two writes per customer whose
  // next timer moved, in every batch.
  due_index_.clear();
  const Micros started = WallNowMicros();
  int64_t scanned = 0;
  CUSTHUB_RETURN_IF_ERROR(store_->ForEach(
      Cf::kRules, "", [&](absl::string_view id, absl::string_view v) {
        ++scanned;
        // rules::NextDue of the record, read without parsing it whole.
        auto due = profile::FirstTimerDue(v);
        if (!due.ok()) return true;  // its customer's load reports the damage
        if (due->has_value()) due_index_.emplace(**due, std::string(id));
        return true;
      }));
  CUSTHUB_RETURN_IF_ERROR(store_->ForEach(
      Cf::kMeta, kLegacyDuePrefix, [&](absl::string_view, absl::string_view) {
        drop_legacy_due_ = true;
        return false;
      }));
  due_index_loaded_ = true;
  Log(LogLevel::kInfo, "timer index built",
      {{"customers", absl::StrCat(scanned)},
       {"with_timers", absl::StrCat(due_index_.size())},
       {"seconds", absl::StrCat((WallNowMicros() - started) / 1e6)}});
  return absl::OkStatus();
}

void BatchProcessor::DropLegacyDueIndex(store::StateBatch* batch) {
  if (!drop_legacy_due_) return;
  batch->DeleteRange(Cf::kMeta, kLegacyDuePrefix, kLegacyDueEnd);
  drop_legacy_due_ = false;
}

void BatchProcessor::AddTriggers(std::vector<v1::Trigger> triggers) {
  for (auto& t : triggers) {
    std::string id = t.customer_id();
    triggers_.emplace_back(std::move(id), std::move(t));
  }
}

absl::Status BatchProcessor::FireDueTimers() {
  Micros stream = rules::StreamTime(options_.rules, stream_time_);
  if (!due_index_loaded_) CUSTHUB_RETURN_IF_ERROR(LoadDueIndex());
  std::vector<std::pair<Micros, std::string>> due;
  for (auto it = due_index_.begin();
       it != due_index_.end() && it->first <= stream; ++it) {
    due.push_back(*it);
  }
  // Timers scheduled in this batch are not indexed yet.
  for (const auto& [id, slot] : customers_) {
    auto next = rules::NextDue(*slot.state);
    if (next && *next <= stream) due.emplace_back(*next, id);
  }
  std::sort(due.begin(), due.end());
  // Ids merged or renamed away in this batch are still indexed (and stored)
  // until it lands: loading one would read its old profile back and write
  // it again under the old id. Their timers moved with them.
  absl::flat_hash_set<absl::string_view> gone;
  for (const auto& r : retired_) {
    if (!customers_.contains(r.from)) gone.insert(r.from);
  }
  for (const auto& [at, id] : due) {
    if (gone.contains(id)) {
      stale_due_.emplace_back(at, id);
      continue;
    }
    CUSTHUB_ASSIGN_OR_RETURN(CustomerSlot * slot,
                             LoadCustomer(id, /*create=*/false));
    if (slot == nullptr) {  // merged away, renamed or erased since
      stale_due_.emplace_back(at, id);
      continue;
    }
    bool was_dirty = slot->dirty;
    auto fired = rules::FireDue(options_.rules, slot->state, stream);
    if (!fired.empty() || rules::NextDue(*slot->state) != slot->indexed_due) {
      slot->dirty = true;
      // Nothing folded into it this batch: firing touches rules state only.
      if (!was_dirty) slot->rules_only = true;
    }
    AddTriggers(std::move(fired));
  }
  return absl::OkStatus();
}

void BatchProcessor::WriteTriggers(store::StateBatch* batch,
                                   std::vector<Rendered>* out) {
  // Rendering (records, destination events, stored bytes) runs on both
  // threads; storing and counting stay in trigger order.
  struct Stored {
    std::string key, value;
  };
  std::vector<Stored> stored(triggers_.size());
  out->assign(triggers_.size(), Rendered{});
  ForEachOnBoth(second(), triggers_.size(), [&](size_t i) {
    const auto& [fired_for, t] = triggers_[i];
    // Stored under the id the customer has after this batch: MoveTimeline
    // moves only what is already stored.
    const std::string* id = &fired_for;
    for (const auto& [from, to] : moved_timelines_) {
      if (*id == from) id = &to;
    }
    stored[i].key = absl::StrCat(
        *id, absl::string_view("\0", 1),
        store::EncodeBigEndian64(
            static_cast<uint64_t>(profile::ToMicros(t.fired_at()))),
        store::EncodeBigEndian64(Hash64(t.idempotency_key())));
    stored[i].value = t.SerializeAsString();
    if (!options_.publish) return;  // a replay: nothing to render
    Rendered& r = (*out)[i];
    Render(publish::TriggerRecord(t, options_.outputs, options_.format), &r);
    auto it = customers_.find(*id);
    if (it != customers_.end()) {
      for (auto& e : publish::TriggerEvents(options_.destinations, t,
                                            it->second.state->profile())) {
        Render(std::move(e), &r);
      }
    }
  });
  for (size_t i = 0; i < triggers_.size(); ++i) {
    const v1::Trigger& t = triggers_[i].second;
    bool suppressed = !t.suppressed_by().empty();
    ++(suppressed ? stats_.triggers_suppressed : stats_.triggers_fired);
    ++stats_.triggers_by_kind[{t.kind(), suppressed ? "suppressed" : "fired"}];
    batch->Put(Cf::kTriggers, stored[i].key, stored[i].value);
  }
}

}  // namespace custhub::streams
