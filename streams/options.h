// Options of the hub runtime: topics, batching, limits. Plain structs; every
// field says its default. Validate() runs once at start-up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "connectors/common/record.h"
#include "src/common/time.h"
#include "src/identity/policy.h"
#include "src/publish/destinations.h"
#include "src/publish/outputs.h"
#include "src/rules/config.h"

namespace custhub::streams {

struct InputTopics {
  std::string orders = "orders";            // Default: orders
  std::string returns = "returns";          // Default: returns
  std::string support = "support";          // Default: support
  std::string email = "email";              // Default: email
  std::string erasure = "custhub.erasure";  // Default: custhub.erasure

  std::vector<std::string> All() const {
    return {orders, returns, support, email, erasure};
  }
};

// Every topic the contract names, for `custhub broker` to create.
std::vector<std::string> AllContractTopics(const InputTopics& in,
                                           const publish::OutputTopics& out);

struct ProcessorOptions {
  publish::OutputTopics outputs;
  // Decoder settings (default phone region). Default: region US.
  connectors::DecodeOptions decode;
  // Merge protection and identifier priority. Default: see IdentityPolicy.
  identity::IdentityPolicy identity;
  // Default: protobuf.
  publish::OutputFormat format = publish::OutputFormat::kProtobuf;
  // Records with a larger value go to the DLQ. Default: 1 MiB.
  size_t max_body_bytes = 1 << 20;
  // How long seen event ids are kept, in event time. Default: 7 days.
  Micros dedup_window = 7 * kMicrosPerDay;
  // Where erasure requests arrive (and where completed erasures are
  // announced). Default: custhub.erasure.
  std::string erasure_topic = "custhub.erasure";
  // Salt of the erasure ledger's identifier hashes; `custhub erase` must use
  // the same. Default: identity::kDefaultErasureSalt.
  std::string erasure_salt = "custhub-erasure-v1";
  // How much of each customer's timeline (recent folded events) is kept,
  // in event time. 0 keeps none. Default: 30 days.
  Micros timeline_retention = 30 * kMicrosPerDay;
  // How long each customer's fired triggers stay in state for the API and
  // the inspector, in event time (customer.triggers keeps them all): older
  // ones are dropped when RocksDB compacts them. 0 keeps them forever.
  // Default: 90 days.
  Micros trigger_retention = 90 * kMicrosPerDay;
  // Customers whose committed state (and last destination bodies) stays in
  // memory between batches (LRU), as the bytes RocksDB holds, so a
  // returning customer costs no RocksDB read (a parse still). Roughly
  // 0.6-1 KiB each. 0 turns the cache off. Default: 200000.
  size_t cached_customers = 200000;
  // Identifier -> customer id pairs kept between batches (LRU, hashed:
  // OwnerCache), ~40-50 bytes each. 0 turns the cache off. Default: 600000
  // (~3 identifiers each of the 200,000 cached customers).
  size_t cached_identifiers = 600000;
  // Computed traits and triggers (thresholds, suppression, timers).
  // Default: rules::RulesConfig{}.
  rules::RulesConfig rules;
  // Records for CRM, ESP and ERP topics. Default: all four enabled with the
  // documented mappings.
  publish::DestinationConfig destinations;
  // Write outputs to the outbox. A replay without --publish folds state
  // only. Default: true.
  bool publish = true;
  // Use a second thread: records decode ahead of the fold, and a batch's
  // outputs render on both threads. false does all on the calling thread,
  // with the same results. Default: true.
  bool second_thread = true;
};

struct HubOptions {
  // Kafka bootstrap servers. Required.
  std::string bootstrap;
  // RocksDB state directory. Required.
  std::string state_dir;
  InputTopics inputs;
  ProcessorOptions processor;
  // fsync the WAL per batch (survives machine crashes). Default: true.
  bool sync = true;
  // Records folded per batch (one RocksDB write). Default: 20000.
  size_t batch_max = 20000;
  // Longest wait for the first record of a batch. Default: 100 ms.
  int poll_timeout_ms = 100;
  // Outputs in flight before polling pauses (backpressure). Default: 200000.
  size_t max_in_flight = 200000;
  // Replay mode: erasure requests are read in full before any other
  // record, so an erased customer's events are dropped wherever they are.
  // Default: false.
  bool replay = false;
  // Publish each batch's outputs in one Kafka transaction with this
  // transactional.id (brokers that support transactions). Default: empty,
  // idempotent producer without transactions.
  std::string transactional_id;
  // Input order across partitions (streams/merge.h): how long a partition
  // with unread records may hold the others back, how many records may be
  // held, and from how many held records partitions running ahead are
  // paused (0: never). Default: 1 s live, 60 s in a replay; 200000; 50000.
  Micros merge_wait = 0;  // 0: the default for the mode
  size_t merge_max_buffered = 200000;
  size_t merge_pause_at = 50000;
  // Live mode: after this long with every input at its end, stream time
  // moves to the wall clock so timers (abandoned_cart, review, win_back)
  // fire without further input. Which triggers fire then depends on when
  // the hub ran, so a replay refuses it. Default: 0 (off).
  Micros advance_when_idle = 0;
  // Extra librdkafka properties for every client. Default: none.
  std::map<std::string, std::string> kafka_properties;

  absl::Status Validate() const;
};

}  // namespace custhub::streams
