// Exactly-once under kill -9 and a full disk: `custhub run` as a child
// process, killed at random points while orders, refunds and retried
// deliveries stream in; afterwards every total is exact and the digest
// equals a clean replay's.
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <thread>

#include "tests/integration/harness.h"
#include "tests/integration/subprocess.h"

using namespace custhub;
using namespace custhub::testing;

namespace {

const std::string kBin = CUSTHUB_BINARY;

std::vector<std::string> RunArgs(const std::string& bootstrap,
                                 const std::string& state) {
  return {
      kBin,     "run",   "--bootstrap", bootstrap, "--state-dir",       state,
      "--sync", "false", "--batch-max", "150",     "--poll-timeout-ms", "20"};
}

// Finishes in-process, checks exactness, outputs and a clean replay.
void FinishAndVerify(const std::string& bootstrap, const std::string& state,
                     const std::string& fresh,
                     const synth::SyntheticStore& synth) {
  std::string digest;
  {
    auto hub = streams::Hub::Create(TestHubOptions(bootstrap, state));
    REQUIRE(hub.ok());
    REQUIRE((*hub)->Start().ok());
    RunUntilCaughtUp(**hub, 120);
    REQUIRE((*hub)->Drain(20000).ok());
    CheckExact(*(*hub)->store(), synth);
    CheckPublished(*(*hub)->store(), bootstrap);
    digest = *(*hub)->store()->Digest();
  }
  auto replay = streams::Hub::Create(TestHubOptions(bootstrap, fresh));
  REQUIRE(replay.ok());
  REQUIRE((*replay)->Start().ok());
  RunUntilCaughtUp(**replay, 120);
  CHECK(*(*replay)->store()->Digest() == digest);
}

}  // namespace

TEST_CASE("kill -9 at random points loses and doubles nothing",
          "[integration][slow][crash]") {
  auto broker = StartBroker(3, 4);
  synth::SyntheticStore synth(
      {.customers = 500, .seed = 99, .duplicate_rate = 0.1});
  const auto& all = synth.records();
  // Records stream in while the hub is killed and restarted.
  std::atomic<bool> produced{false};
  std::thread producer([&] {
    const size_t chunk = 150;
    for (size_t i = 0; i < all.size(); i += chunk) {
      std::vector<synth::SynthRecord> part(
          all.begin() + i, all.begin() + std::min(all.size(), i + chunk));
      ProduceAll(broker->bootstrap(), part);
      std::this_thread::sleep_for(std::chrono::milliseconds(60));
    }
    produced = true;
  });
  TempDir dir;
  std::string state = dir.path + "/state";
  std::mt19937 rng(20261123);
  int kills = 0;
  while (kills < 6 || !produced.load()) {
    Child hub(RunArgs(broker->bootstrap(), state));
    std::this_thread::sleep_for(std::chrono::milliseconds(250 + rng() % 900));
    CHECK(hub.Stop(SIGKILL) == 128 + SIGKILL);
    ++kills;
    REQUIRE(kills < 40);
  }
  producer.join();
  CHECK(kills >= 6);
  FinishAndVerify(broker->bootstrap(), state, dir.path + "/replay", synth);
}

TEST_CASE(
    "a full disk stops the hub with a clear message, and it resumes cleanly",
    "[integration][crash]") {
  auto broker = StartBroker(1, 2);
  synth::SyntheticStore synth({.customers = 300, .seed = 5});
  ProduceAll(broker->bootstrap(), synth.records());
  TempDir dir;
  std::string state = dir.path + "/state";
  // The hub may write files of at most 256 KiB: the write-ahead log fills up
  // mid-stream, as on a full disk. SIGXFSZ is ignored so writes fail with
  // an error instead of killing the process.
  std::string cmd = "trap '' XFSZ; ulimit -f 256; exec";
  for (const auto& a : RunArgs(broker->bootstrap(), state))
    cmd += " '" + a + "'";
  auto full = RunCommand({"/bin/bash", "-c", cmd}, 60);
  CHECK(full.exit_code == 1);
  INFO(full.err);
  CHECK(full.err.find("state write failed, batch not applied") !=
        std::string::npos);
  FinishAndVerify(broker->bootstrap(), state, dir.path + "/replay", synth);
}
