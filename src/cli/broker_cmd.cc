#include <chrono>
#include <cstdio>
#include <thread>

#include "src/cli/commands.h"
#include "src/common/log.h"
#include "src/kafka/mock_cluster.h"

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
  std::printf("bootstrap=%s\n", (*cluster)->bootstrap().c_str());
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
