#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "src/cli/commands.h"
#include "src/common/log.h"
#include "src/kafka/mock_cluster.h"
#include "src/kafka/port_forward.h"

namespace custhub::cli {

int RunBroker(const BrokerArgs& args, const streams::InputTopics& inputs,
              const publish::OutputTopics& outputs) {
  if (args.partitions < 1 || args.partitions > 1024) {
    return Fail(absl::InvalidArgumentError("--partitions: must be 1..1024"));
  }
  auto cluster = kafka::MockCluster::Start(args.brokers);
  if (!cluster.ok()) return Fail(cluster.status());
  for (const auto& topic : streams::AllContractTopics(inputs, outputs)) {
    if (auto s = (*cluster)->CreateTopic(topic, args.partitions); !s.ok()) {
      return Fail(s);
    }
  }
  std::string bootstrap = (*cluster)->bootstrap();
  std::unique_ptr<kafka::PortForward> relay;
  if (args.port > 0) {
    // A fixed bootstrap port in front of broker 1; clients learn the other
    // brokers from the metadata.
    std::string first = bootstrap.substr(0, bootstrap.find(','));
    auto started = kafka::PortForward::Start(args.port, first);
    if (!started.ok()) return Fail(started.status());
    relay = std::move(*started);
    bootstrap = "127.0.0.1:" + std::to_string(args.port);
  }
  std::printf("bootstrap=%s\n", bootstrap.c_str());
  std::fflush(stdout);
  Log(LogLevel::kInfo,
      "embedded broker serving (development only: data in memory, newest few "
      "MiB per partition)",
      {{"brokers", std::to_string(args.brokers)},
       {"partitions", std::to_string(args.partitions)}});
  while (!StopRequested().load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Log(LogLevel::kInfo, "broker stopping");
  return kExitOk;
}

}  // namespace custhub::cli
