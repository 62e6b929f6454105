// The real pipeline: embedded Kafka-protocol broker on loopback, the hub
// in-process, RocksDB in a temp dir.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "custhub/v1/identity.pb.h"
#include "custhub/v1/profile.pb.h"
#include "custhub/v1/state.pb.h"
#include "custhub/v1/trigger.pb.h"
#include "src/common/time.h"
#include "src/identity/identifiers.h"
#include "tests/integration/harness.h"

using namespace custhub;
using custhub::testing::CheckExact;
using custhub::testing::CheckPublished;
using custhub::testing::ConsumedRecord;
using custhub::testing::ProduceAll;
using custhub::testing::ReadTopic;
using custhub::testing::RunUntilCaughtUp;
using custhub::testing::StartBroker;
using custhub::testing::TempDir;
using custhub::testing::TestHubOptions;

namespace {

// A hub over `options`, run until caught up and drained.
std::unique_ptr<streams::Hub> CaughtUpHub(const streams::HubOptions& options) {
  auto hub = streams::Hub::Create(options);
  REQUIRE(hub.ok());
  REQUIRE((*hub)->Start().ok());
  RunUntilCaughtUp(**hub);
  REQUIRE((*hub)->Drain(10000).ok());
  return std::move(*hub);
}

}  // namespace

TEST_CASE("platform webhooks fold into RocksDB and profiles reach the topic",
          "[integration]") {
  auto broker = StartBroker(3, 4);
  synth::SyntheticStore synth({.customers = 80, .seed = 11});
  ProduceAll(broker->bootstrap(), synth.records());
  TempDir dir;
  auto hub = CaughtUpHub(TestHubOptions(broker->bootstrap(), dir.path));

  CheckExact(*hub->store(), synth);
  const auto& st = hub->stats();
  CHECK(st.records == synth.records().size());
  CHECK(st.duplicates == static_cast<uint64_t>(synth.duplicate_events()));
  CHECK(st.dlq == static_cast<uint64_t>(synth.malformed()));
  CHECK(st.events == static_cast<uint64_t>(synth.events()));

  // Each changed profile is on customer.profiles, keyed by customer id, and
  // the newest record per key equals the stored profile.
  CheckPublished(*hub->store(), broker->bootstrap());

  // Destination topics carry their shapes, one upsert per changed customer.
  auto crm = ReadTopic(broker->bootstrap(), "crm.contacts");
  auto esp = ReadTopic(broker->bootstrap(), "esp.profiles");
  auto erp = ReadTopic(broker->bootstrap(), "erp.customers");
  REQUIRE_FALSE(crm.empty());
  REQUIRE_FALSE(esp.empty());
  REQUIRE_FALSE(erp.empty());
  CHECK(crm[0].headers.at("destination") == "hubspot");
  CHECK(crm[0].value.find("\"idProperty\":\"email\"") != std::string::npos);
  CHECK(esp[0].value.find("\"type\":\"profile\"") != std::string::npos);
  // Customers with orders carry their revenue (absent fields are left out).
  CHECK(std::any_of(erp.begin(), erp.end(), [](const ConsumedRecord& r) {
    return r.value.find("\"lifetime_net_revenue\"") != std::string::npos;
  }));
  // ERP records carry no email engagement: fewer records than ESP profiles.
  CHECK(erp.size() <= esp.size());

  // The malformed records are on the DLQ with their reasons.
  auto dlq = ReadTopic(broker->bootstrap(), "custhub.dlq");
  REQUIRE(dlq.size() == static_cast<size_t>(synth.malformed()));
  std::set<std::string> reasons;
  for (const auto& r : dlq) {
    reasons.insert(r.headers.at("dlq-reason").substr(0, 5));
    CHECK(r.headers.at("dlq-topic") == "orders");
    CHECK_FALSE(r.headers.at("dlq-offset").empty());
    CHECK(r.headers.at("event-type") == "orders/create");  // original header
  }
  CHECK(reasons == std::set<std::string>{"body:", "ident", "sourc", "total"});
}

TEST_CASE("a hub stopped and restarted mid-stream counts nothing twice",
          "[integration]") {
  auto broker = StartBroker(1, 4);
  synth::SyntheticStore synth({.customers = 60, .seed = 5});
  ProduceAll(broker->bootstrap(), synth.records());
  TempDir dir;
  auto options = TestHubOptions(broker->bootstrap(), dir.path);
  options.batch_max = 40;
  uint64_t first_run = 0;
  {
    auto hub = streams::Hub::Create(options);
    REQUIRE(hub.ok());
    REQUIRE((*hub)->Start().ok());
    while (first_run < synth.records().size() / 3) {
      auto n = (*hub)->RunOnce();
      REQUIRE(n.ok());
      first_run += *n;
    }
    // Stopped without draining: unconfirmed outputs stay in the outbox.
  }
  REQUIRE(first_run < synth.records().size());
  auto hub = streams::Hub::Create(options);
  REQUIRE(hub.ok());
  REQUIRE((*hub)->Start().ok());
  RunUntilCaughtUp(**hub);
  CHECK(first_run + (*hub)->stats().records == synth.records().size());
  CheckExact(*(*hub)->store(), synth);

  // The same topics replayed into a fresh state dir give the same digest.
  TempDir fresh;
  auto replay =
      streams::Hub::Create(TestHubOptions(broker->bootstrap(), fresh.path));
  REQUIRE(replay.ok());
  REQUIRE((*replay)->Start().ok());
  RunUntilCaughtUp(**replay);
  CHECK(*(*replay)->store()->Digest() == *(*hub)->store()->Digest());
}

TEST_CASE("merges reach customer.identity and tombstone the absorbed profile",
          "[integration][identity]") {
  auto broker = StartBroker(1, 2);
  // A ticket and an order from two addresses, then an order with the phone
  // that links them.
  ProduceAll(
      broker->bootstrap(),
      {{"support",
        "a",
        R"({"occurredAt":"2026-01-03T09:00:00Z","identifiers":{"emails":["ann.lee@work.example"],"phones":["+14155550100"]},"ticket":{"ticketId":"T1","status":"open"}})",
        {{"event-id", "t1"}}},
       {"orders",
        "b",
        R"({"occurredAt":"2026-01-05T10:00:00Z","identifiers":{"emails":["ann@example.com"]},"order":{"orderId":"1","total":{"minor":"4200","currency":"USD"}}})",
        {{"event-id", "o1"}}}});
  TempDir dir;
  auto hub =
      streams::Hub::Create(TestHubOptions(broker->bootstrap(), dir.path));
  REQUIRE(hub.ok());
  REQUIRE((*hub)->Start().ok());
  RunUntilCaughtUp(**hub);
  ProduceAll(
      broker->bootstrap(),
      {{"orders",
        "b",
        R"({"occurredAt":"2026-01-20T10:00:00Z","identifiers":{"emails":["ann@example.com"],"phones":["+14155550100"]},"order":{"orderId":"2","total":{"minor":"800","currency":"USD"}}})",
        {{"event-id", "o2"}}}});
  RunUntilCaughtUp(**hub);
  REQUIRE((*hub)->Drain(10000).ok());
  CHECK((*hub)->stats().merges == 1);

  std::string survivor =
      identity::CustomerIdFor("email:ann.lee@work.example").value();
  std::string absorbed =
      identity::CustomerIdFor("email:ann@example.com").value();
  auto changes = ReadTopic(broker->bootstrap(), "customer.identity");
  REQUIRE(changes.size() == 1);
  v1::IdentityChange change;
  REQUIRE(change.ParseFromString(changes[0].value));
  CHECK(changes[0].key == survivor);
  CHECK(change.survivor_id() == survivor);
  REQUIRE(change.absorbed_ids_size() == 1);
  CHECK(change.absorbed_ids(0) == absorbed);
  CHECK(change.linked_by() == "phone:+14155550100");

  // The absorbed id's last record is a tombstone; the survivor's profile
  // carries both customers' history.
  auto profiles = ReadTopic(broker->bootstrap(), "customer.profiles");
  std::map<std::string, ConsumedRecord> newest;
  for (const auto& r : profiles) newest[r.key] = r;
  REQUIRE(newest.count(absorbed));
  CHECK(newest[absorbed].tombstone);
  v1::CustomerProfile p;
  REQUIRE(p.ParseFromString(newest[survivor].value));
  CHECK(p.orders().count() == 2);
  CHECK(p.orders().gross_revenue().minor() == 5000);
  CHECK(p.support().open_tickets() == 1);
  CHECK(p.emails_size() == 2);
}

TEST_CASE("with --transactional each batch's outputs commit as a transaction",
          "[integration]") {
  auto broker = StartBroker(1, 2);
  synth::SyntheticStore synth({.customers = 60, .seed = 8});
  ProduceAll(broker->bootstrap(), synth.records());
  TempDir dir;
  auto options = TestHubOptions(broker->bootstrap(), dir.path);
  options.transactional_id = "custhub-test";
  options.batch_max = 200;
  auto hub = CaughtUpHub(options);
  CheckExact(*hub->store(), synth);
  CheckPublished(*hub->store(), broker->bootstrap());
  CHECK(hub->outbox_in_flight() == 0);
}

TEST_CASE("triggers reach customer.triggers with their idempotency keys",
          "[integration][rules]") {
  auto broker = StartBroker(1, 2);
  ProduceAll(
      broker->bootstrap(),
      {{"orders",
        "a",
        R"({"occurredAt":"2026-01-05T10:00:00Z","identifiers":{"emails":["tr@example.com"]},"order":{"orderId":"1","total":{"minor":"4200","currency":"USD"},"itemCount":1}})",
        {{"event-id", "o1"}}},
       {"email",
        "a",
        R"({"occurredAt":"2026-01-06T10:00:00Z","identifiers":{"emails":["tr@example.com"]},"email":{"kind":"BOUNCED"}})",
        {{"event-id", "b1"}}}});
  TempDir dir;
  auto hub = CaughtUpHub(TestHubOptions(broker->bootstrap(), dir.path));
  auto records = ReadTopic(broker->bootstrap(), "customer.triggers");
  std::set<std::string> kinds;
  for (const auto& r : records) {
    v1::Trigger t;
    REQUIRE(t.ParseFromString(r.value));
    kinds.insert(t.kind());
    CHECK(r.headers.at("idempotency-key") == t.idempotency_key());
    CHECK(r.key == t.customer_id());
    CHECK_FALSE(t.idempotency_key().empty());
  }
  CHECK(kinds.count("first_purchase") == 1);
  CHECK(kinds.count("deliverability_alert") == 1);
  // The ESP gets the unsuppressed ones as events keyed by the same id.
  auto esp = ReadTopic(broker->bootstrap(), "esp.events");
  REQUIRE_FALSE(esp.empty());
  CHECK(esp[0].headers.count("idempotency-key") == 1);
}

namespace {

// Every trigger a hub stored: idempotency key -> kind, fired_at and
// suppressed_by.
std::map<std::string, std::string> StoredTriggers(store::StateStore& store) {
  std::map<std::string, std::string> out;
  auto s = store.ForEach(
      store::Cf::kTriggers, "", [&](absl::string_view, absl::string_view v) {
        v1::Trigger t;
        REQUIRE(t.ParseFromArray(v.data(), static_cast<int>(v.size())));
        out[t.idempotency_key()] =
            absl::StrCat(t.kind(), " ", t.customer_id(), " ",
                         t.fired_at().seconds(), " ", t.suppressed_by());
        return true;
      });
  REQUIRE(s.ok());
  return out;
}

}  // namespace

TEST_CASE("a replay fires exactly the triggers of the live run",
          "[integration][rules]") {
  // Orders schedule reviews and win-backs, tickets (support) and refunds
  // (returns) cancel or suppress them, bounces (email) suppress marketing:
  // rules read across topics, so the fold order across partitions matters.
  auto broker = StartBroker(1, 4);
  synth::SyntheticStore synth({.customers = 150, .seed = 5});
  ProduceAll(broker->bootstrap(), synth.records());

  // Live: tiny fetches, so partitions arrive in many small interleaved bits.
  TempDir live_dir;
  auto live_options = TestHubOptions(broker->bootstrap(), live_dir.path);
  live_options.batch_max = 64;
  // However slow the machine, never go ahead without a partition.
  live_options.merge_wait = 120 * kMicrosPerSecond;
  live_options.kafka_properties = {{"max.partition.fetch.bytes", "2048"},
                                   {"fetch.max.bytes", "8192"},
                                   {"message.max.bytes", "4096"}};
  auto live = CaughtUpHub(live_options);
  auto live_triggers = StoredTriggers(*live->store());
  REQUIRE(live_triggers.size() > 50);
  std::set<std::string> kinds;
  for (const auto& [key, what] : live_triggers) {
    kinds.insert(what.substr(0, what.find(' ')));
  }
  CHECK(kinds.count("post_purchase_review") == 1);
  CHECK(kinds.count("win_back") == 1);

  // Replay into a fresh state dir: big fetches, big batches, publishing.
  TempDir replay_dir;
  auto replay_options = TestHubOptions(broker->bootstrap(), replay_dir.path);
  replay_options.replay = true;
  replay_options.batch_max = 20000;
  auto replay = CaughtUpHub(replay_options);
  auto replay_triggers = StoredTriggers(*replay->store());
  CHECK(replay_triggers == live_triggers);

  // Both published every trigger under its key: each key twice on the topic.
  std::map<std::string, int> on_topic;
  for (const auto& r : ReadTopic(broker->bootstrap(), "customer.triggers")) {
    ++on_topic[r.headers.at("idempotency-key")];
  }
  CHECK(on_topic.size() == live_triggers.size());
  for (const auto& [key, n] : on_topic) {
    INFO(key);
    CHECK(live_triggers.count(key) == 1);
    CHECK(n == 2);
  }

  // Live again with the merge pausing partitions from 40 held records: the
  // same order, so the same triggers and state.
  TempDir paused_dir;
  auto paused_options = live_options;
  paused_options.state_dir = paused_dir.path;
  paused_options.merge_pause_at = 40;
  paused_options.kafka_properties = {};  // whole partitions per fetch
  auto paused = CaughtUpHub(paused_options);
  CHECK(paused->merge_stats().pauses > 0);
  CHECK(paused->merge_stats().forced == 0);
  CHECK(StoredTriggers(*paused->store()) == live_triggers);
  CHECK(*paused->store()->Digest() == *live->store()->Digest());
}

TEST_CASE("advance-when-idle fires due timers without further input",
          "[integration][rules]") {
  // A checkout two hours old: its abandoned_cart timer is due an hour ago,
  // but stream time (its own event time less 5 minutes) never gets there
  // without another event.
  auto broker = StartBroker(1, 2);
  std::string at = FormatRfc3339(WallNowMicros() - 2 * kMicrosPerHour);
  ProduceAll(
      broker->bootstrap(),
      {{"orders",
        "a",
        absl::StrCat(
            R"({"eventType":"checkouts/create","occurredAt":")", at,
            R"(","identifiers":{"emails":["idle@example.com"]},)",
            R"("checkout":{"checkoutToken":"tok1","value":{"minor":"8000",)",
            R"("currency":"USD"},"createdAt":")", at, R"("}})"),
        {{"event-id", "c1"}}}});
  auto run_for = [](streams::Hub& hub, Micros d) {
    Micros until = WallNowMicros() + d;
    while (WallNowMicros() < until) REQUIRE(hub.RunOnce().ok());
  };
  auto fired = [](const streams::Hub& hub) {
    auto it = hub.stats().triggers_by_kind.find({"abandoned_cart", "fired"});
    return it == hub.stats().triggers_by_kind.end() ? 0u : it->second;
  };

  TempDir off_dir;
  auto off =
      streams::Hub::Create(TestHubOptions(broker->bootstrap(), off_dir.path));
  REQUIRE(off.ok());
  REQUIRE((*off)->Start().ok());
  RunUntilCaughtUp(**off);
  run_for(**off, kMicrosPerSecond);
  CHECK(fired(**off) == 0);

  TempDir on_dir;
  auto options = TestHubOptions(broker->bootstrap(), on_dir.path);
  options.advance_when_idle = kMicrosPerSecond / 3;
  auto on = streams::Hub::Create(options);
  REQUIRE(on.ok());
  REQUIRE((*on)->Start().ok());
  RunUntilCaughtUp(**on);
  Micros give_up = WallNowMicros() + 10 * kMicrosPerSecond;
  while (fired(**on) == 0 && WallNowMicros() < give_up) {
    run_for(**on, kMicrosPerSecond / 10);
  }
  CHECK(fired(**on) == 1);
  REQUIRE((*on)->Drain(10000).ok());
  int carts = 0;
  for (const auto& r : ReadTopic(broker->bootstrap(), "customer.triggers")) {
    v1::Trigger t;
    REQUIRE(t.ParseFromString(r.value));
    if (t.kind() != "abandoned_cart") continue;
    ++carts;
    CHECK(r.headers.at("idempotency-key") == t.idempotency_key());
  }
  CHECK(carts == 1);

  // A replay refuses the wall clock: its triggers must follow from the
  // topics alone.
  options.replay = true;
  CHECK_FALSE(streams::Hub::Create(options).ok());
}
