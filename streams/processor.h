// The fold engine of one poll batch: decode -> validate -> dedup -> resolve
// identity -> fold, with a write-back cache of every customer, ledger entry
// and identifier the batch touches. Commit() turns the batch into ONE
// StateBatch holding state, consumed offsets and outbox records, so a crash
// either keeps all of a batch or none of it.
//
//   BatchProcessor p(store, options);
//   for (auto& r : records) CUSTHUB_RETURN_IF_ERROR(p.Add(r));
//   std::vector<Outbound> out;
//   CUSTHUB_RETURN_IF_ERROR(p.Commit({}, &out));  // then publish `out`
//
// Lifecycle: one per hub, reused across batches. Thread-safety: none; the
// hub's poll thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "custhub/v1/event.pb.h"
#include "custhub/v1/state.pb.h"
#include "google/protobuf/arena.h"
#include "src/common/hash.h"
#include "src/identity/policy.h"
#include "src/store/state_store.h"
#include "streams/lru_cache.h"
#include "streams/options.h"
#include "streams/owner_cache.h"
#include "streams/seen_ids.h"

namespace custhub {
class Worker;
}  // namespace custhub

namespace custhub::streams {

// One consumed record, independent of the Kafka client.
struct InputRecord {
  absl::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  absl::string_view key;
  absl::string_view value;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timestamp_ms = -1;
};

// A decoded event with what its fold needs that depends on the event
// alone, worked out ahead (on the decoding thread under AddAll).
struct PreparedEvent {
  custhub::v1::Event event;
  Micros at = 0;        // occurred_at
  SeenIds::Id seen_id;  // of "source|event id", for dedup
  // Events that resolve their customer through identifiers (all but
  // refunds and bare order deletions): the identifiers left after the
  // policy's blocklist, as keys, strongest first.
  std::vector<std::string> keys;
  // The event's timeline entry as a windowed log item, framed and
  // serialised here rather than on the poll thread (when a timeline is
  // kept; empty otherwise).
  std::string timeline;
};

// The timeline entry of `e` as a framed windowed-log item (timeline.cc).
std::string TimelineItemOf(const custhub::v1::Event& e, Micros at);

// An output in the outbox, with its sequence number: a serialised
// OutboxRecord inside the outbox entry that holds it (outbox_blob.h), which
// the publisher sends from until the broker confirms it.
struct Outbound {
  uint64_t seq = 0;
  absl::string_view bytes;
  std::shared_ptr<const std::string> entry;  // owns `bytes`
  // The record parsed (tests, tools); empty if the bytes are not one.
  custhub::v1::OutboxRecord Record() const;
};

struct ProcessorStats {
  uint64_t records = 0;       // records consumed
  uint64_t events = 0;        // events folded into state
  uint64_t duplicates = 0;    // retried deliveries dropped
  uint64_t dlq = 0;           // records sent to the DLQ
  uint64_t held_refunds = 0;  // refunds waiting for their order
  uint64_t customers_created = 0;
  uint64_t renames = 0;         // ids moved to the earliest event's identifier
  uint64_t merges = 0;          // customers folded into another
  uint64_t refused_links = 0;   // links refused by the per-identifier limit
  uint64_t erasures = 0;        // customers erased
  uint64_t triggers_fired = 0;  // unsuppressed triggers
  uint64_t triggers_suppressed = 0;  // published with suppressed_by
  // (kind, "fired" | "suppressed") -> count
  std::map<std::pair<std::string, std::string>, uint64_t> triggers_by_kind;
  uint64_t erased_dropped = 0;  // events of erased customers dropped
  uint64_t profiles_published = 0;
  uint64_t batches = 0;
  uint64_t busy_micros = 0;  // wall time spent folding and committing
  std::map<std::string, uint64_t> dlq_by_reason;  // reason up to the first ':'
  // Events folded per (source, event type), for the metrics.
  std::map<std::pair<std::string, std::string>, uint64_t> events_by_type;
};

class BatchProcessor {
 public:
  BatchProcessor(store::StateStore* store, ProcessorOptions options);
  ~BatchProcessor();

  // Reads the next outbox sequence number. Call once before the first Add.
  absl::Status Init();

  // Folds one record. Bad input goes to the DLQ and returns OK; an error
  // means the store failed and the batch must be abandoned.
  absl::Status Add(const InputRecord& record);
  // As Add for each record in order, with the records decoded ahead on a
  // second thread while earlier ones fold (the same result as Add).
  absl::Status AddAll(const std::vector<InputRecord>& records);

  // Handles a record of the erasure topic (salted identifier hashes). Call
  // with nothing pending; commit right after, then compact the store so
  // nothing of the customer stays readable on disk.
  absl::Status AddErasure(const InputRecord& record);
  bool HasErasures() const { return !erased_customers_.empty(); }

  // Writes the batch atomically, also deleting the outbox entries in
  // `delivered`, and hands back the outputs to publish.
  absl::Status Commit(const std::vector<uint64_t>& delivered,
                      std::vector<Outbound>* outputs);
  // Commit in two halves, so the next batch folds while this one is
  // written: StartCommit builds the batch and starts its write;
  // FinishCommit waits for it and hands back its outputs, which may be
  // published only then (empty when nothing is in flight). Between them,
  // Add/AddAll may fold the next batch; StartCommit again needs a
  // FinishCommit first. A failed FinishCommit leaves state folded on top of
  // a batch that never landed: the caller must stop and start over from
  // the store.
  absl::Status StartCommit(const std::vector<uint64_t>& delivered);
  absl::Status FinishCommit(std::vector<Outbound>* outputs);
  bool CommitInFlight() const { return in_flight_ != nullptr; }
  // The sequence number the next output will get: after StartCommit, one
  // past the last output of the batch started.
  uint64_t next_seq() const { return next_seq_; }

  // Drops everything added since the last Commit (after a failed write).
  void Abandon();

  // Live mode's idle clock (Hub, --advance-when-idle): moves stream time
  // forward to `now`. True when it moved; the next Commit then fires the
  // timers that became due.
  bool AdvanceStreamTime(Micros now);

  bool HasPending() const { return pending_records_ > 0 || clock_moved_; }
  const ProcessorStats& stats() const { return stats_; }
  // Entries in the cross-batch caches (tests, metrics).
  size_t cached_customers() const { return customer_cache_.size(); }
  size_t cached_identifiers() const { return identifier_cache_.size(); }
  Micros stream_time() const { return stream_time_; }
  // The timer index, (due, customer id) per customer with timers, as of
  // the batches started; empty before the first commit (tests, tools).
  const absl::btree_set<std::pair<Micros, std::string>>& due_index() const {
    return due_index_;
  }
  void AddBusyTime(Micros t) { stats_.busy_micros += t; }
  // Next offset per partition, as of the last Commit.
  const std::map<std::pair<std::string, int32_t>, int64_t>& committed_offsets()
      const {
    return committed_offsets_;
  }
  void SeedOffsets(const store::OffsetMap& offsets) {
    committed_offsets_ = offsets;
  }

 private:
  struct CustomerSlot {
    // On the batch's arena (NewState): parsing allocates from it, and the
    // whole batch's states are dropped in one Reset instead of ~10% of the
    // poll thread freeing them message by message.
    custhub::v1::CustomerState* state = nullptr;
    bool dirty = false;
    // Changed by nothing but timers firing at commit (FireDueTimers): the
    // profile is as stored, so only the rules record is written and no
    // profile or destination record goes out.
    bool rules_only = false;
    // The due time under which the timer index lists this customer.
    std::optional<Micros> indexed_due;
    // The profile and rules bytes as committed: read when loaded, replaced
    // by what the batch writes, then handed to the customer cache.
    std::string stored_profile, stored_rules;
  };
  // A customer in the cross-batch cache: its committed bytes (profile and
  // rules families), parsed again when loaded. Bytes are ~10x smaller than
  // the parsed message, and dropping them costs one free.
  struct CachedCustomer {
    std::string profile, rules;
  };
  custhub::v1::CustomerState* NewState() {
    return google::protobuf::Arena::CreateMessage<custhub::v1::CustomerState>(
        &arena_);
  }
  // Parses committed bytes into a new slot of the batch.
  absl::StatusOr<CustomerSlot*> AddLoaded(const std::string& id,
                                          std::string profile,
                                          std::string rules);
  template <typename T>
  struct LedgerSlot {
    T entry;
    bool dirty = false;
  };

  // Add's second half: `decoded` is what DecodeRecord made of `record`.
  absl::Status AddDecoded(const InputRecord& record,
                          absl::StatusOr<std::vector<PreparedEvent>> decoded);
  // The second thread (decoding ahead, rendering outputs); made on first
  // use. second() is null when options say to use one thread.
  Worker& worker();
  Worker* second() { return options_.second_thread ? &worker() : nullptr; }
  std::unique_ptr<Worker> worker_;
  absl::Status FoldEvent(PreparedEvent& prepared);
  // The customer's slot, loaded into the batch; a new empty customer if
  // unknown, or null then when `create` is false.
  absl::StatusOr<CustomerSlot*> LoadCustomer(const std::string& id,
                                             bool create = true);
  // The customer the index names for `key`, or empty.
  absl::StatusOr<std::string> OwnerOf(const std::string& key);
  // Splits the keys (strongest first) into those a customer owns, with
  // their owner, and those nobody has yet.
  absl::Status ResolveCustomer(
      const std::vector<std::string>& keys,
      std::vector<std::pair<std::string, std::string>>* owned,
      std::vector<std::string>* unowned);
  // How many links (merges, or new identifiers joined to its customer)
  // `key` has made.
  absl::StatusOr<int> LinkCount(const std::string& key);
  // Spends one link of `key`'s budget; false (counted, logged) when spent.
  absl::StatusOr<bool> TakeLink(const std::string& key);
  // The customer an event folds into, merging the customers its
  // identifiers prove to be one.
  absl::StatusOr<std::string> ChooseCustomer(
      const std::vector<std::string>& keys,
      const std::vector<std::pair<std::string, std::string>>& owned,
      const std::string& explicit_id, Micros at);
  // Folds one of the two customers into the other; returns the survivor.
  absl::StatusOr<std::string> Merge(const std::string& a, const std::string& b,
                                    const std::string& linked_by, Micros at);
  absl::StatusOr<bool> CustomerExists(const std::string& id);
  // The customer of an order in the ledger, or null while it is unseen.
  absl::StatusOr<CustomerSlot*> OrderCustomer(
      const custhub::v1::OrderLedgerEntry& entry);
  void Attach(const std::string& key, const std::string& id,
              custhub::v1::CustomerState* state);
  // Moves a customer to the id its earliest event derives.
  absl::Status Rename(const std::string& from, const std::string& to,
                      const std::string& linked_by, Micros at);
  absl::StatusOr<LedgerSlot<custhub::v1::OrderLedgerEntry>*> LoadOrder(
      const std::string& key);
  absl::StatusOr<LedgerSlot<custhub::v1::TicketLedgerEntry>*> LoadTicket(
      const std::string& key);
  // Whether `prepared` was folded before (this batch, or stored within the
  // dedup window).
  absl::StatusOr<bool> SeenBefore(const PreparedEvent& prepared);
  // Event time every input partition has reached (INT64_MIN: none yet).
  Micros SlowestPartitionTime() const;
  // Seen ids stored with a time below this have left the dedup window.
  Micros SeenExpiry() const;
  // Tells the store's compaction filters where the dedup window and the
  // trigger retention start.
  void SetExpiries();
  void SendToDlq(const InputRecord& record, absl::string_view reason);
  // Erasure (erasure.cc).
  absl::Status LoadErased();
  bool IsErased(const std::vector<std::string>& keys) const;
  void WriteErasures(store::StateBatch* batch,
                     std::vector<custhub::v1::OutboxRecord>* out);
  void ClearErasures();

  store::StateStore* store_;
  ProcessorOptions options_;
  uint64_t next_seq_ = 1;
  // The largest event time folded so far.
  Micros stream_time_ = 0;
  // The largest event time per "topic|partition"; the slowest partition
  // drives the dedup window. A batch stores only the times it moved (the
  // bench's 513 partitions were 513 writes per batch, whatever its size).
  struct PartitionTime {
    Micros at = 0;
    bool moved = false;  // since the last batch started its write
  };
  std::map<std::string, PartitionTime> partition_time_;
  size_t pending_records_ = 0;
  bool clock_moved_ = false;  // by AdvanceStreamTime since the last Commit

  // The batch's write-back cache.
  google::protobuf::Arena arena_{BatchArenaOptions()};
  static google::protobuf::ArenaOptions BatchArenaOptions() {
    google::protobuf::ArenaOptions o;
    o.start_block_size = 64 << 10;
    o.max_block_size = 1 << 20;
    return o;
  }
  // node_hash_map: slots are held by pointer while others load.
  absl::node_hash_map<std::string, CustomerSlot> customers_;
  absl::node_hash_map<std::string, LedgerSlot<custhub::v1::OrderLedgerEntry>>
      orders_;
  absl::node_hash_map<std::string, LedgerSlot<custhub::v1::TicketLedgerEntry>>
      tickets_;
  // Identifiers this batch linked (attached, merged, renamed): key -> id
  // as the batch leaves them, written at commit. Committed links are read
  // from identifier_cache_ or RocksDB and not copied here.
  absl::flat_hash_map<std::string, std::string> identifiers_;
  // Across batches: committed values only. A slot taken from the customer
  // cache lives in customers_ until Commit puts it back, so Abandon() just
  // drops it and the next load reads RocksDB.
  // Keyed by the id's 128-bit hash (as the identifier cache and the dedup
  // window key theirs): no id string kept or compared per entry.
  LruCache<CachedCustomer, absl::uint128> customer_cache_;
  static absl::uint128 CacheKey(absl::string_view id) { return Hash128(id); }
  OwnerCache identifier_cache_;  // key -> id
  // Outbox (outbox_blob.h): each batch's outputs are one entry, keyed by
  // its first sequence number, deleted once every output in it is
  // confirmed. first seq -> (end seq, outputs confirmed so far).
  struct OpenBlob {
    uint64_t end = 0;
    uint64_t confirmed = 0;
    bool deleting = false;  // its delete is in a batch written or in flight
  };
  std::map<uint64_t, OpenBlob> open_blobs_;
  // Entries holding an erasure's outputs (destination deletes name the
  // customer's email): once deleted, the outbox family is compacted so the
  // bytes leave the disk. Entries found at Init count too (unknown).
  std::set<uint64_t> naming_erased_;
  absl::Status LoadOpenBlobs();
  // Counts `delivered` against their entries and deletes the entries now
  // wholly confirmed; `done` gets their keys, to forget after the write.
  void DeleteDelivered(const std::vector<uint64_t>& delivered,
                       store::StateBatch* batch, std::vector<uint64_t>* done);
  // The size of the last outbox entry, to reserve the next one's room.
  size_t last_blob_size_ = 0;
  // A batch between StartCommit and FinishCommit: what FinishCommit does
  // once its write has landed.
  struct InFlightCommit {
    uint64_t first_seq = 0, end_seq = 0;  // its outbox sequence numbers
    // Its outbox entry: the write points at it (PutReferenced), and so do
    // its outputs until delivered.
    std::shared_ptr<std::string> blob;
    std::vector<Outbound> outputs;
    std::vector<uint64_t> done;  // outbox entries it deletes
    bool names_erased = false;   // its entry holds an erasure's outputs
    std::map<std::pair<std::string, int32_t>, int64_t> offsets;
    size_t profiles = 0;
  };
  std::unique_ptr<InFlightCommit> in_flight_;
  // The batch's state becomes the caches' (while the write runs; a failed
  // write clears both caches again).
  void KeepCommitted();
  // Dedup: the ids folded this batch, and those of the batches before.
  absl::flat_hash_map<SeenIds::Id, Micros> new_seen_;
  SeenIds seen_;
  std::vector<custhub::v1::OutboxRecord> dlq_;
  // Timeline items folded this batch (framed, in fold order), by customer
  // id (hashed: a sorted map spent ~4% of the poll thread comparing ids,
  // one lookup per event).
  absl::flat_hash_map<std::string, std::string> timeline_;
  void AddTimeline(const std::string& customer_id, const std::string& item);
  // Moves stored and pending timeline entries to another id (merge, rename).
  absl::Status MoveTimeline(const std::string& from, const std::string& to,
                            store::StateBatch* batch);
  std::vector<std::pair<std::string, std::string>> moved_timelines_;
  void WriteTimeline(store::StateBatch* batch);
  // Rewrites earlier versions' timeline values as windowed logs, once.
  absl::Status MigrateTimeline();
  // Triggers (rules wiring, triggers.cc).
  std::vector<std::pair<std::string, custhub::v1::Trigger>> triggers_;
  void AddTriggers(std::vector<custhub::v1::Trigger> triggers);
  // Fires the timers of every customer due by stream time.
  absl::Status FireDueTimers();
  // The timer index: (due, customer id) of every customer with a timer, at
  // its earliest, as of the batches started. Memory only: built from the
  // rules family on first use (LoadDueIndex) and again after a failed
  // write; a persisted copy cost two writes per batch customer whose next
  // timer moved (~16k keys per 20k records).
  absl::btree_set<std::pair<Micros, std::string>> due_index_;
  bool due_index_loaded_ = false;
  absl::Status LoadDueIndex();
  // Earlier versions' persisted index, found by LoadDueIndex: the next
  // batch deletes it.
  bool drop_legacy_due_ = false;
  void DropLegacyDueIndex(store::StateBatch* batch);
  // Outputs rendered on both threads (ForEachOnBoth) for one trigger or
  // customer, when the batch publishes: their bytes as outbox slots,
  // appended to the batch's entry in order afterwards.
  struct Rendered {
    size_t count = 0;
    std::string slots;
  };
  void Render(const custhub::v1::OutboxRecord& record, Rendered* out) const;
  // Stores the batch's triggers and renders their outputs, one Rendered
  // per trigger.
  void WriteTriggers(store::StateBatch* batch, std::vector<Rendered>* out);
  std::vector<std::pair<Micros, std::string>>
      stale_due_;  // index entries to drop
  // Erasure ledger (salted identifier hashes) and this batch's erasures.
  absl::flat_hash_set<std::string> erased_;
  std::vector<std::string> new_erased_;
  std::vector<std::string> erased_keys_;
  std::vector<std::pair<std::string, std::string>> erased_orders_;
  std::vector<std::string> erased_customers_;
  std::vector<custhub::v1::OutboxRecord> erasure_outputs_;
  // Ids that went away this batch (merged or renamed) and where to.
  struct Retired {
    std::string from, to, linked_by;
    Micros at;
  };
  std::vector<Retired> retired_;
  absl::flat_hash_map<std::string, int> links_;  // identifier -> merges
  absl::flat_hash_set<std::string> dirty_links_;
  std::map<std::pair<std::string, int32_t>, int64_t> offsets_;
  std::map<std::pair<std::string, int32_t>, int64_t> committed_offsets_;
  store::StateBatch batch_;  // Commit's, reused
  ProcessorStats stats_;
};

}  // namespace custhub::streams
