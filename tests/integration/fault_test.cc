// Broker faults from the mock cluster's own injection API: produce and
// fetch errors, a broker down and back, a slow broker. Nothing is lost,
// nothing is counted twice, every output arrives. And a poll under a light
// load returns what is queued instead of waiting out its timeout.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/integration/harness.h"

using namespace custhub;
using namespace custhub::testing;

namespace {

// Kafka protocol error codes and API keys (as on the wire).
constexpr int kNotLeader = 6, kRequestTimedOut = 7, kNotEnoughReplicas = 19;
constexpr int kProduce = 0, kFetch = 1;

}  // namespace

TEST_CASE(
    "produce and fetch errors, a broker outage and a slow broker lose "
    "and double nothing",
    "[integration][faults]") {
  auto broker = StartBroker(3, 4);
  synth::SyntheticStore synth(
      {.customers = 150, .seed = 21, .duplicate_rate = 0.1});
  ProduceAll(broker->bootstrap(), synth.records());

  TempDir dir;
  auto options = TestHubOptions(broker->bootstrap(), dir.path);
  options.batch_max = 100;
  options.kafka_properties["retry.backoff.ms"] = "20";
  auto hub = streams::Hub::Create(options);
  REQUIRE(hub.ok());
  REQUIRE((*hub)->Start().ok());

  // Faults: the hub's fetches and its outputs' produce requests fail for a
  // while, broker 1 answers slowly, broker 2 drops off the network.
  broker->PushRequestErrors(kFetch, {kNotLeader, kRequestTimedOut, kNotLeader,
                                     kRequestTimedOut, kNotLeader});
  broker->PushRequestErrors(
      kProduce, {kNotLeader, kRequestTimedOut, kNotEnoughReplicas, kNotLeader,
                 kRequestTimedOut, kNotEnoughReplicas});
  REQUIRE(broker->SetRtt(1, 40).ok());
  for (int i = 0; i < 10; ++i) REQUIRE((*hub)->RunOnce().ok());
  REQUIRE(broker->SetBrokerUp(2, false).ok());
  auto down_until =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  while (std::chrono::steady_clock::now() < down_until) {
    REQUIRE((*hub)->RunOnce().ok());
  }
  REQUIRE(broker->SetBrokerUp(2, true).ok());
  REQUIRE(broker->SetRtt(1, 0).ok());
  RunUntilCaughtUp(**hub, 120);
  REQUIRE((*hub)->Drain(30000).ok());

  CheckExact(*(*hub)->store(), synth);
  CheckPublished(*(*hub)->store(), broker->bootstrap());
  const auto& st = (*hub)->stats();
  CHECK(st.records == synth.records().size());
  CHECK(st.duplicates == static_cast<uint64_t>(synth.duplicate_events()));
  CHECK((*hub)->outbox_in_flight() == 0);
}

TEST_CASE("a poll returns the records queued without waiting for a full batch",
          "[integration][kafka]") {
  auto broker = StartBroker(1, 1);
  std::vector<synth::SynthRecord> records(3);
  for (int i = 0; i < 3; ++i) {
    records[i].topic = "support";
    records[i].key = absl::StrCat("k", i);
    records[i].value = "{}";
  }
  ProduceAll(broker->bootstrap(), records);
  auto consumer = kafka::Consumer::Create({broker->bootstrap(), {}});
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->Assign({{"support", 0, 0}}).ok());
  // Ask for far more records than exist, with a long timeout: the poll
  // that finds them must not sit out the timeout for the rest.
  const int kTimeoutMs = 20000;
  auto start = std::chrono::steady_clock::now();
  size_t got = 0;
  while (got < 3) {
    auto batch = (*consumer)->PollBatch(10000, kTimeoutMs);
    REQUIRE(batch.ok());
    for (const auto& m : *batch) got += m.error().ok() ? 1 : 0;
    REQUIRE(std::chrono::steady_clock::now() - start <
            std::chrono::milliseconds(kTimeoutMs / 2));
  }
  CHECK(got == 3);
}

TEST_CASE("a polled record keeps its fields once librdkafka's message is gone",
          "[integration][kafka]") {
  auto broker = StartBroker(1, 1);
  synth::SynthRecord r;
  r.topic = "orders";
  r.key = "cus_7";
  r.value = R"({"id": 1001})";
  r.headers = {{"source", "shopify"},
               {"event-type", "orders/create"},
               {"x-empty", ""},
               {"content-type", "application/json; charset=utf-8"}};
  ProduceAll(broker->bootstrap(), {r});
  auto consumer = kafka::Consumer::Create({broker->bootstrap(), {}});
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->Assign({{"orders", 0, 0}}).ok());
  std::vector<streams::PolledRecord> kept;
  for (int polls = 0; kept.empty() && polls < 100; ++polls) {
    auto batch = (*consumer)->PollBatch(10, 200);
    REQUIRE(batch.ok());
    for (const auto& m : *batch) {
      if (m.error().ok()) kept.emplace_back(m);
    }
  }  // the librdkafka messages are destroyed here
  consumer->reset();
  REQUIRE(kept.size() == 1);
  const streams::PolledRecord& p = kept[0];
  CHECK(p.topic() == "orders");
  CHECK(p.partition() == 0);
  CHECK(p.offset() == 0);
  CHECK(p.timestamp_ms() > 0);
  CHECK(p.key() == "cus_7");
  CHECK(p.value() == R"({"id": 1001})");
  CHECK(p.headers() == r.headers);
}
