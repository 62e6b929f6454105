// An in-process Kafka-protocol broker: librdkafka's mock cluster listening on
// loopback TCP. For development, tests, `custhub broker` and `custhub demo`;
// it keeps data in memory, only the newest few MiB per partition.
//
//   auto cluster = MockCluster::Start(3);
//   CUSTHUB_RETURN_IF_ERROR((*cluster)->CreateTopic("orders", 8));
//   std::string bootstrap = (*cluster)->bootstrap();
//
// Lifecycle: serves from Start() until destroyed. Thread-safe as librdkafka's
// mock API is (topic creation from any thread).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/kafka/client.h"

struct rd_kafka_mock_cluster_s;

namespace custhub::kafka {

class MockCluster {
 public:
  static absl::StatusOr<std::unique_ptr<MockCluster>> Start(int brokers);
  ~MockCluster();

  // "127.0.0.1:PORT,127.0.0.1:PORT,..."
  const std::string& bootstrap() const { return bootstrap_; }
  int brokers() const { return brokers_; }

  absl::Status CreateTopic(const std::string& name, int partitions);
  // Takes broker `id` (1-based) off the network, or brings it back.
  absl::Status SetBrokerUp(int id, bool up);

  // Fault injection for tests. The next requests of Kafka API `api_key`
  // (0 Produce, 1 Fetch, ...) from any client fail with `errors` (Kafka
  // error codes), one each, in order.
  void PushRequestErrors(int api_key, const std::vector<int>& errors);
  // Adds `ms` of round-trip time to broker `id`.
  absl::Status SetRtt(int id, int ms);

 private:
  MockCluster() = default;
  RdKafkaPtr rk_;  // librdkafka needs a handle for the cluster's bookkeeping
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstrap_;
  int brokers_ = 0;
};

}  // namespace custhub::kafka
