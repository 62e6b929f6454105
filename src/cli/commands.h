// The custhub subcommands. Each returns the process exit code: 0 ok,
// 1 runtime failure, 2 bad usage or config, 3 not found.
#pragma once

#include <atomic>
#include <string>

#include "absl/status/status.h"
#include "src/gateway/server.h"
#include "streams/options.h"

namespace custhub::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotFound = 3;

// Set by SIGINT/SIGTERM.
std::atomic<bool>& StopRequested();
void InstallSignalHandlers();

// Prints "custhub: <message>" on stderr and maps the status to an exit code.
int Fail(const absl::Status& status);

struct BrokerArgs {
  int brokers = 3;     // Default: 3
  int partitions = 8;  // Default: 8
  int port = 0;        // fixed bootstrap port. Default: 0 (random ports only)
};
int RunBroker(const BrokerArgs& args, const streams::InputTopics& inputs,
              const publish::OutputTopics& outputs);

// `http_listen` (host:port, port 0: any free; empty: off) serves the HTTP
// API, metrics and inspector page, and prints "http=PORT" on stdout.
int RunHub(const streams::HubOptions& options, const std::string& http_listen);
// Rebuilds into a fresh --state-dir; publishes only with `publish`.
int RunReplay(streams::HubOptions options, bool publish);

struct DemoArgs {
  int customers = 300;    // Default: 300
  uint64_t seed = 42;     // Default: 42
  std::string state_dir;  // Default: a fresh temporary directory
};
int RunDemo(const DemoArgs& args);

struct BenchArgs {
  int64_t records = 1000000;  // Default: 1000000
  int customers = 200000;     // Default: 200000
  uint64_t seed = 42;         // Default: 42
  // Zipf exponent of the customer draw. Default: 0.8
  double skew = 0.8;
  // Also write the figures here as JSON. Default: none
  std::string json;
  bool skip_latency = false;    // Default: false
  double latency_seconds = 10;  // Default: 10
  double latency_rate = 0;      // records/s; 0: half of (c). Default: 0
  // The customers x records matrix instead of the full run. Default: false
  bool scaling = false;
};
int RunBench(const BenchArgs& args);

// Secrets come from `config`'s `secrets:` map and CUSTHUB_SECRET_<SOURCE>.
int RunWebhook(gateway::GatewayOptions options, const std::string& config);

// Writes an erasure request (salted identifier hash) to `topic`.
int RunErase(const std::string& identifier, const std::string& bootstrap,
             const std::string& topic, const std::string& salt);

int RunProfileGet(const std::string& id, const std::string& state_dir);
int RunDigest(const std::string& state_dir);

}  // namespace custhub::cli
