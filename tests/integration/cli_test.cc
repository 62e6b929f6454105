// The custhub binary as users run it: `custhub broker` and `custhub run` as
// processes, `profile get` and `digest` beside the running hub.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/integration/harness.h"
#include "tests/integration/subprocess.h"

using namespace custhub::testing;

namespace {

const std::string kBin = CUSTHUB_BINARY;

std::string Bootstrap(Child& broker) {
  std::string line = broker.ReadLine();
  REQUIRE(absl::StartsWith(line, "bootstrap="));
  return line.substr(10);
}

// Polls `profile get` until the customer shows `needle` or time runs out.
CommandResult WaitForProfile(const std::string& id, const std::string& dir,
                             const std::string& needle) {
  CommandResult r;
  for (int i = 0; i < 100; ++i) {
    r = RunCommand({kBin, "profile", "get", id, "--state-dir", dir});
    if (r.exit_code == 0 && r.out.find(needle) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return r;
}

}  // namespace

TEST_CASE("broker and hub run as processes, and profile get works beside them",
          "[integration][cli]") {
  Child broker({kBin, "broker", "--brokers", "1", "--partitions", "2"});
  std::string bootstrap = Bootstrap(broker);
  TempDir dir;
  std::string state = dir.path + "/state";

  // Settings from a YAML file; the command line still wins (--sync).
  std::string config = dir.path + "/custhub.yaml";
  std::ofstream(config) << "bootstrap: " << bootstrap << "\n"
                        << "state-dir: " << state << "\n"
                        << "sync: true\n"
                        << "topics:\n  orders: orders\n";
  Child hub({kBin, "run", "--config", config, "--sync", "false"});

  ProduceAll(
      bootstrap,
      {{"orders",
        "ann@example.com",
        R"({"occurredAt":"2026-02-01T10:00:00Z","identifiers":{"emails":["Ann@Example.com"],"phones":["+15550000001"]},"order":{"orderId":"1","total":{"minor":"12050","currency":"USD"},"itemCount":2}})",
        {{"event-id", "d1"}}}});
  auto r = WaitForProfile("ann@example.com", state, "\"12050\"");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"count\": 1") != std::string::npos);
  CHECK(r.out.find("\"customerId\": \"cus_") != std::string::npos);
  // By phone and by customer id too.
  CHECK(
      RunCommand({kBin, "profile", "get", "+15550000001", "--state-dir", state})
          .exit_code == 0);
  CHECK(RunCommand({kBin, "profile", "get", "nobody@example.com", "--state-dir",
                    state})
            .exit_code == 3);
  auto digest = RunCommand({kBin, "digest", "--state-dir", state});
  CHECK(digest.exit_code == 0);
  CHECK(digest.out.size() == 33);  // 32 hex digits and a newline

  CHECK(hub.Stop(SIGTERM) == 0);
  CHECK(broker.Stop(SIGINT) == 0);
  // After the hub stopped, the digest is unchanged.
  CHECK(RunCommand({kBin, "digest", "--state-dir", state}).out == digest.out);
}

TEST_CASE("broker --port serves the embedded broker on a fixed port",
          "[integration][cli]") {
  int port = 20000 + getpid() % 20000;
  Child broker(
      {kBin, "broker", "--brokers", "3", "--port", std::to_string(port)});
  std::string bootstrap = Bootstrap(broker);
  CHECK(bootstrap == "127.0.0.1:" + std::to_string(port));
  // A client that knows only the fixed port produces and reads back.
  ProduceAll(bootstrap, {{"orders", "k", "v", {}}});
  auto records = ReadTopic(bootstrap, "orders");
  REQUIRE(records.size() == 1);
  CHECK(records[0].value == "v");
  CHECK(broker.Stop(SIGTERM) == 0);
}

TEST_CASE("bad usage exits 2 with a message naming the flag or key",
          "[integration][cli]") {
  auto missing = RunCommand({kBin, "run", "--state-dir", "/tmp/x"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--bootstrap") != std::string::npos);
  auto bad_format =
      RunCommand({kBin, "run", "--bootstrap", "x:1", "--state-dir", "/tmp/x",
                  "--output-format", "xml"});
  CHECK(bad_format.exit_code == 2);
  TempDir dir;
  std::string config = dir.path + "/c.yaml";
  std::ofstream(config) << "bootstrapp: 127.0.0.1:9\n";
  auto unknown_key = RunCommand({kBin, "run", "--config", config});
  CHECK(unknown_key.exit_code == 2);
  CHECK(unknown_key.err.find("bootstrapp") != std::string::npos);
  auto no_state = RunCommand(
      {kBin, "profile", "get", "a@b.com", "--state-dir", dir.path + "/none"});
  CHECK(no_state.exit_code == 2);
  CHECK(RunCommand({kBin, "nonsense"}).exit_code == 2);
}

TEST_CASE("the demo runs end to end and prints profiles",
          "[integration][cli]") {
  auto r = RunCommand({kBin, "demo", "--customers", "60"}, 120);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("== summary ==") != std::string::npos);
  CHECK(r.out.find("duplicates dropped") != std::string::npos);
  CHECK(r.out.find("\"grossRevenue\"") != std::string::npos);
  CHECK(r.out.find("dead-lettered (DLQ)   4") != std::string::npos);
}

TEST_CASE("replay --publish fires the live run's triggers with the same keys",
          "[integration][cli][rules]") {
  Child broker({kBin, "broker", "--brokers", "1", "--partitions", "4"});
  std::string bootstrap = Bootstrap(broker);
  custhub::synth::SyntheticStore synth({.customers = 100, .seed = 9});
  ProduceAll(bootstrap, synth.records());
  TempDir dir;
  std::string live = dir.path + "/live", fresh = dir.path + "/replay";

  Child hub({kBin, "run", "--bootstrap", bootstrap, "--state-dir", live,
             "--sync", "false", "--http", "127.0.0.1:0", "--merge-wait",
             "120"});
  std::string line = hub.ReadLine();
  REQUIRE(absl::StartsWith(line, "http="));
  std::string ready_url =
      absl::StrCat("http://127.0.0.1:", line.substr(5), "/readyz");
  bool ready = false;
  for (int i = 0; i < 150 && !ready; ++i) {
    auto r = RunCommand(
        {"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", ready_url});
    ready = r.out == "200";
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  REQUIRE(ready);
  REQUIRE(hub.Stop(SIGTERM) == 0);  // publishes what is left first
  size_t live_count = ReadTopic(bootstrap, "customer.triggers").size();
  REQUIRE(live_count > 20);

  auto replay =
      RunCommand({kBin, "replay", "--bootstrap", bootstrap, "--state-dir",
                  fresh, "--sync", "false", "--publish"},
                 120);
  INFO(replay.err);
  REQUIRE(replay.exit_code == 0);
  std::map<std::string, int> keys;
  for (const auto& r : ReadTopic(bootstrap, "customer.triggers")) {
    ++keys[r.headers.at("idempotency-key")];
  }
  CHECK(keys.size() == live_count);
  for (const auto& [key, n] : keys) {
    INFO(key);
    CHECK(n == 2);  // once live, once by the replay
  }
  CHECK(RunCommand({kBin, "digest", "--state-dir", fresh}).out ==
        RunCommand({kBin, "digest", "--state-dir", live}).out);
  CHECK(broker.Stop(SIGINT) == 0);
}
