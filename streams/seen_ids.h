// Dedup memory: the events folded within the dedup window, by a 128-bit
// hash of "source|event id", with the event time their partition had
// reached (so a backfilled old event is remembered for a whole window).
// Answered from memory; stored as one record per batch in the seen family,
// keyed by the batch's newest time, so records wholly out of the window go
// as one range delete. Loaded when the processor starts.
//
//   SeenIds seen;
//   CUSTHUB_RETURN_IF_ERROR(seen.Load(store));
//   if (auto at = seen.Find(SeenIds::IdOf("shopify", "e1")); at && ...)
//   seen.Commit(batch_ids, expiry, &state_batch);  // with the batch's state
//
// Thread-safety: none; the processor's poll thread owns it.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "src/common/time.h"
#include "src/store/state_store.h"

namespace custhub::streams {

class SeenIds {
 public:
  using Id = absl::uint128;
  static Id IdOf(absl::string_view source, absl::string_view event_id);

  // Reads every stored record, and an earlier version's one key per event
  // id, which the next Commit rewrites as one record and deletes.
  absl::Status Load(store::StateStore* store);
  bool loaded() const { return loaded_; }
  // Forgets everything (after a failed write); Load again before use.
  void Unload();

  // The time `id` was seen at, if remembered (expired ones may be).
  std::optional<Micros> Find(Id id) const;

  // Adds a batch's ids to `batch` as one record and remembers them; drops
  // the records (and, now and then, the ids in memory) seen before
  // `expiry`.
  void Commit(const absl::flat_hash_map<Id, Micros>& fresh, Micros expiry,
              store::StateBatch* batch);

  size_t size() const { return seen_.size(); }

 private:
  void Remember(Id id, Micros at);
  bool loaded_ = false;
  absl::flat_hash_map<Id, Micros> seen_;
  std::vector<std::pair<Id, Micros>> legacy_;  // to rewrite at Commit
  bool drop_legacy_ = false;
  uint64_t next_record_ = 0;
  Micros deleted_before_ = 0;  // records older than this are deleted
  size_t purge_at_ = 0;        // seen_.size() that sets off a purge
};

}  // namespace custhub::streams
