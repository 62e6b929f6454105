#include "src/kafka/mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "absl/strings/str_cat.h"
#include "src/kafka/errors.h"

namespace custhub::kafka {

absl::StatusOr<std::unique_ptr<MockCluster>> MockCluster::Start(int brokers) {
  if (brokers < 1 || brokers > 16) {
    return absl::InvalidArgumentError("--brokers: must be between 1 and 16");
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("mock cluster handle: ", err));
  }
  std::unique_ptr<MockCluster> m(new MockCluster());
  m->rk_.reset(rk);
  m->cluster_ = rd_kafka_mock_cluster_new(rk, brokers);
  if (m->cluster_ == nullptr) {
    return absl::InternalError("mock cluster: could not start");
  }
  m->bootstrap_ = rd_kafka_mock_cluster_bootstraps(m->cluster_);
  m->brokers_ = brokers;
  return m;
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

absl::Status MockCluster::CreateTopic(const std::string& name, int partitions) {
  int replication = brokers_ < 3 ? brokers_ : 3;
  return KafkaError(rd_kafka_mock_topic_create(cluster_, name.c_str(),
                                               partitions, replication),
                    absl::StrCat("create topic ", name));
}

void MockCluster::PushRequestErrors(int api_key,
                                    const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> codes;
  for (int e : errors) codes.push_back(static_cast<rd_kafka_resp_err_t>(e));
  rd_kafka_mock_push_request_errors_array(
      cluster_, static_cast<int16_t>(api_key), codes.size(), codes.data());
}

absl::Status MockCluster::SetRtt(int id, int ms) {
  return KafkaError(rd_kafka_mock_broker_set_rtt(cluster_, id, ms),
                    absl::StrCat("rtt of broker ", id));
}

absl::Status MockCluster::SetBrokerUp(int id, bool up) {
  return KafkaError(up ? rd_kafka_mock_broker_set_up(cluster_, id)
                       : rd_kafka_mock_broker_set_down(cluster_, id),
                    absl::StrCat("broker ", id));
}

}  // namespace custhub::kafka
