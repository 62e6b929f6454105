#include "tests/integration/harness.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "custhub/v1/profile.pb.h"
#include "custhub/v1/state.pb.h"

namespace custhub::testing {

std::unique_ptr<kafka::MockCluster> StartBroker(int brokers, int partitions) {
  auto cluster = kafka::MockCluster::Start(brokers);
  REQUIRE(cluster.ok());
  streams::InputTopics in;
  publish::OutputTopics out;
  for (const auto& t : streams::AllContractTopics(in, out)) {
    REQUIRE((*cluster)->CreateTopic(t, partitions).ok());
  }
  return std::move(*cluster);
}

void ProduceAll(const std::string& bootstrap,
                const std::vector<synth::SynthRecord>& records) {
  int failed = 0;
  auto producer = kafka::Producer::Create(
      {bootstrap, {}}, [&](uint64_t, absl::Status s) { failed += !s.ok(); });
  REQUIRE(producer.ok());
  uint64_t tag = 0;
  for (const auto& r : records) {
    kafka::OutRecord out{r.topic, r.key, r.value, false, r.headers};
    for (;;) {
      absl::Status s = (*producer)->Produce(out, ++tag);
      if (s.ok()) break;
      REQUIRE(absl::IsResourceExhausted(s));
      (*producer)->Poll(20);
    }
  }
  REQUIRE((*producer)->Flush(30000).ok());
  REQUIRE(failed == 0);
}

std::vector<ConsumedRecord> ReadTopic(const std::string& bootstrap,
                                      const std::string& topic) {
  auto consumer = kafka::Consumer::Create({bootstrap, {}});
  REQUIRE(consumer.ok());
  auto count = kafka::PartitionCount((*consumer)->handle(), topic, 10000);
  REQUIRE(count.ok());
  std::vector<kafka::TopicPartition> parts;
  std::map<int32_t, int64_t> high;
  for (int32_t p = 0; p < *count; ++p) {
    auto wm = kafka::Watermarks((*consumer)->handle(), topic, p, 10000);
    REQUIRE(wm.ok());
    if (wm->second > wm->first) {
      high[p] = wm->second;
      parts.push_back({topic, p, -2});
    }
  }
  std::vector<ConsumedRecord> out;
  if (parts.empty()) return out;
  REQUIRE((*consumer)->Assign(parts).ok());
  std::map<int32_t, int64_t> next;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto done = [&] {
    for (const auto& [p, h] : high) {
      if (next[p] < h) return false;
    }
    return true;
  };
  while (!done()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    auto batch = (*consumer)->PollBatch(10000, 200);
    REQUIRE(batch.ok());
    for (const auto& m : *batch) {
      if (!m.error().ok()) continue;
      ConsumedRecord r;
      r.key = std::string(m.key().data(), m.key().size());
      r.value = std::string(m.value().data(), m.value().size());
      r.tombstone = m.value_is_null();
      for (auto& [k, v] : m.headers()) r.headers[k] = v;
      r.partition = m.partition();
      r.offset = m.offset();
      next[m.partition()] = m.offset() + 1;
      out.push_back(std::move(r));
    }
  }
  return out;
}

void RunUntilCaughtUp(streams::Hub& hub, int timeout_s) {
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    auto n = hub.RunOnce();
    INFO(n.status().message());
    REQUIRE(n.ok());
    if (*n == 0) {
      auto done = hub.CaughtUp();
      REQUIRE(done.ok());
      if (*done) return;
    }
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  }
}

// Every shopper's profile shows exactly what the generator says it must.
void CheckExact(store::StateStore& store, const synth::SyntheticStore& synth) {
  int checked = 0;
  for (const auto& [email, want] : synth.expected()) {
    if (want.orders + want.cancelled + want.tickets + want.delivered == 0) {
      continue;
    }
    auto id = store.Get(store::Cf::kIdentifiers, "email:" + email);
    REQUIRE(id.ok());
    REQUIRE(id->has_value());
    auto bytes = store.Get(store::Cf::kProfiles, **id);
    REQUIRE(bytes.ok());
    v1::CustomerState s;
    REQUIRE(s.ParseFromString(**bytes));
    const auto& p = s.profile();
    INFO(email);
    CHECK(p.orders().count() == want.orders);
    CHECK(p.orders().cancelled_count() == want.cancelled);
    CHECK(p.orders().gross_revenue().minor() == want.gross_minor);
    CHECK(p.orders().refunded().minor() == want.refunded_minor);
    CHECK(p.orders().net_revenue().minor() ==
          want.gross_minor - want.refunded_minor);
    CHECK(p.orders().items_bought() == want.items_bought);
    CHECK(p.returns().items_returned() == want.items_returned);
    CHECK(p.support().total_tickets() == want.tickets);
    CHECK(p.support().open_tickets() == want.open_tickets);
    CHECK(p.email().delivered() == want.delivered);
    CHECK(p.email().opens() == want.opens);
    CHECK(p.email().clicks() == want.clicks);
    ++checked;
  }
  CHECK(checked > 0);
}

void CheckPublished(store::StateStore& store, const std::string& bootstrap) {
  std::map<std::string, std::string> newest;
  for (const auto& r : ReadTopic(bootstrap, "customer.profiles")) {
    if (r.tombstone) {
      newest.erase(r.key);
    } else {
      newest[r.key] = r.value;
    }
  }
  uint64_t stored = 0;
  REQUIRE(store
              .ForEach(store::Cf::kProfiles, "",
                       [&](absl::string_view k, absl::string_view v) {
                         ++stored;
                         v1::CustomerState s;
                         REQUIRE(s.ParseFromArray(v.data(), v.size()));
                         auto it = newest.find(std::string(k));
                         REQUIRE(it != newest.end());
                         v1::CustomerProfile published;
                         REQUIRE(published.ParseFromString(it->second));
                         CHECK(published.SerializeAsString() ==
                               s.profile().SerializeAsString());
                         return true;
                       })
              .ok());
  CHECK(newest.size() == stored);
}

streams::HubOptions TestHubOptions(const std::string& bootstrap,
                                   const std::string& state_dir) {
  streams::HubOptions o;
  o.bootstrap = bootstrap;
  o.state_dir = state_dir;
  o.sync = false;  // tests need no machine-crash durability
  o.poll_timeout_ms = 50;
  return o;
}

}  // namespace custhub::testing
