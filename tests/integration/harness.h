// Shared pieces of the integration tests: an embedded broker with the
// contract's topics, producing synthetic records, reading a topic back,
// temp dirs, and running the hub in-process until it has caught up.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/kafka/client.h"
#include "src/kafka/mock_cluster.h"
#include "src/synth/synthetic_store.h"
#include "streams/hub.h"
#include "tests/common/temp_dir.h"

namespace custhub::testing {

// A mock cluster with every contract topic created.
std::unique_ptr<kafka::MockCluster> StartBroker(int brokers, int partitions);

void ProduceAll(const std::string& bootstrap,
                const std::vector<synth::SynthRecord>& records);

struct ConsumedRecord {
  std::string key;
  std::string value;
  bool tombstone = false;
  std::map<std::string, std::string> headers;
  int32_t partition = 0;
  int64_t offset = 0;
};

// Every record of `topic` from the earliest offset to the high watermarks.
std::vector<ConsumedRecord> ReadTopic(const std::string& bootstrap,
                                      const std::string& topic);

// Calls RunOnce until CaughtUp, failing the test after `timeout_s`.
void RunUntilCaughtUp(streams::Hub& hub, int timeout_s = 60);

// Every synthetic shopper's profile in `store` shows exactly the totals the
// generator says it must (orders, revenue, refunds, items, tickets, email).
void CheckExact(store::StateStore& store, const synth::SyntheticStore& synth);

// The newest record per key on customer.profiles equals the stored profile,
// for every customer in `store` (nothing published was lost).
void CheckPublished(store::StateStore& store, const std::string& bootstrap);

streams::HubOptions TestHubOptions(const std::string& bootstrap,
                                   const std::string& state_dir);

}  // namespace custhub::testing
