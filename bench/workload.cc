#include "bench/workload.h"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "src/common/hash.h"
#include "src/common/status.h"
#include "src/publish/outputs.h"

namespace custhub::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Output topics only need to take what the hub publishes; what they retain
// lives in the broker's memory, so keep them small.
constexpr int kOutputPartitions = 4;
constexpr int kBrokers = 3;

// Queues one record, serving delivery reports while the local queue is full.
absl::Status ProduceOne(kafka::Producer& producer, const kafka::OutRecord& r,
                        uint64_t tag) {
  for (;;) {
    absl::Status s = producer.Produce(r, tag);
    if (!absl::IsResourceExhausted(s)) return s;
    producer.Poll(10);
  }
}

kafka::OutRecord ToOut(synth::SynthRecord&& r, int partitions) {
  kafka::OutRecord out;
  out.partition = PartitionOf(r.key, partitions);
  out.topic = std::move(r.topic);
  out.key = std::move(r.key);
  out.value = std::move(r.value);
  out.headers = std::move(r.headers);
  return out;
}

}  // namespace

int32_t PartitionOf(absl::string_view key, int partitions) {
  return static_cast<int32_t>(Hash64(key) % static_cast<uint64_t>(partitions));
}

int InputPartitionsFor(int64_t records) {
  // Half the records go to `orders`, about 250 bytes each once lz4 has
  // compressed the batch; the latency phase may add as many again. Keep a
  // partition under 3 MiB of its 5 MiB.
  double bytes = 0.55 * 2.0 * 250.0 * static_cast<double>(records);
  int needed = static_cast<int>(bytes / (3 << 20)) + 1;
  int p = 8;
  while (p < needed && p < 256) p *= 2;
  return p;
}

ScopedTempDir::ScopedTempDir() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "custhub-bench-XXXXXX")
          .string();
  if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
}

ScopedTempDir::~ScopedTempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

std::string ScopedTempDir::Sub(absl::string_view name) const {
  return absl::StrCat(path_, "/", name);
}

absl::StatusOr<std::unique_ptr<BenchCluster>> BenchCluster::Start(
    int input_partitions) {
  std::unique_ptr<BenchCluster> c(new BenchCluster());
  c->input_partitions_ = input_partitions;
  publish::OutputTopics outputs;
  std::vector<std::string> inputs = c->inputs_.All();
  std::vector<std::pair<std::string, int>> topics;
  for (const auto& topic : streams::AllContractTopics(c->inputs_, outputs)) {
    bool input = std::find(inputs.begin(), inputs.end(), topic) != inputs.end();
    int partitions = topic == c->inputs_.erasure ? 1
                     : input                     ? input_partitions
                                                 : kOutputPartitions;
    topics.emplace_back(topic, partitions);
  }
  CUSTHUB_ASSIGN_OR_RETURN(c->broker_, BrokerProcess::Start(kBrokers, topics));
  return c;
}

std::vector<kafka::TopicPartition> BenchCluster::InputAssignment() const {
  std::vector<kafka::TopicPartition> out;
  for (const auto& topic :
       {inputs_.orders, inputs_.returns, inputs_.support, inputs_.email}) {
    for (int p = 0; p < input_partitions_; ++p) out.push_back({topic, p, -2});
  }
  return out;
}

absl::StatusOr<BrokerCount> BenchCluster::CountInputRecords() const {
  CUSTHUB_ASSIGN_OR_RETURN(auto client,
                           kafka::Consumer::Create({bootstrap(), {}}));
  BrokerCount count;
  for (const auto& tp : InputAssignment()) {
    CUSTHUB_ASSIGN_OR_RETURN(
        auto wm,
        kafka::Watermarks(client->handle(), tp.topic, tp.partition, 10000));
    count.records += wm.second - wm.first;
    if (wm.first > 0) ++count.truncated_partitions;
  }
  return count;
}

absl::StatusOr<ProduceResult> ProduceFast(const std::string& bootstrap,
                                          synth::SyntheticStream& stream,
                                          int64_t count, int partitions) {
  int64_t failed = 0;
  kafka::ClientOptions options{bootstrap,
                               {{"linger.ms", "20"},
                                {"batch.size", "1048576"},
                                {"enable.idempotence", "false"},
                                {"acks", "1"}}};
  CUSTHUB_ASSIGN_OR_RETURN(
      auto producer,
      kafka::Producer::Create(
          options, [&](uint64_t, absl::Status s) { failed += !s.ok(); }));
  ProduceResult result;
  double generating = 0;
  auto start = Clock::now();
  std::vector<synth::SynthRecord> chunk;
  while (result.records < count) {
    auto t = Clock::now();
    chunk.clear();
    size_t n = stream.Next(
        static_cast<size_t>(std::min<int64_t>(50000, count - result.records)),
        &chunk);
    generating += Since(t);
    if (n == 0) break;
    for (auto& r : chunk) {
      result.value_bytes += r.value.size();
      CUSTHUB_RETURN_IF_ERROR(ProduceOne(
          *producer, ToOut(std::move(r), partitions), ++result.records));
    }
    producer->Poll(0);
  }
  CUSTHUB_RETURN_IF_ERROR(producer->Flush(300000));
  result.seconds = std::max(Since(start) - generating, 1e-9);
  if (failed > 0) {
    return absl::UnavailableError(
        absl::StrCat(failed, " benchmark records not produced"));
  }
  return result;
}

absl::StatusOr<ProduceResult> ProducePaced(
    const std::string& bootstrap, std::vector<synth::SynthRecord> records,
    double rate, int partitions, const std::atomic<bool>& stop) {
  int64_t failed = 0;
  // Connected to every broker before the clock starts (librdkafka connects
  // to a partition's leader only once it has a record for it), so no record
  // waits for a connection or metadata: a light load once measured one
  // such wait, ~1 s, as its latency maximum and most of its p99.
  kafka::ClientOptions options{
      bootstrap, {{"linger.ms", "1"}, {"enable.sparse.connections", "false"}}};
  CUSTHUB_ASSIGN_OR_RETURN(
      auto producer,
      kafka::Producer::Create(
          options, [&](uint64_t, absl::Status s) { failed += !s.ok(); }));
  std::set<std::string> topics;
  for (const auto& r : records) topics.insert(r.topic);
  for (const auto& topic : topics) {
    CUSTHUB_RETURN_IF_ERROR(
        kafka::PartitionCount(producer->handle(), topic, 10000).status());
  }
  ProduceResult result;
  auto start = Clock::now();
  size_t next = 0;
  while (next < records.size() && !stop.load()) {
    // Everything due by now goes out; then a millisecond's pause.
    auto due = static_cast<size_t>(Since(start) * rate) + 1;
    for (; next < std::min(due, records.size()); ++next) {
      result.value_bytes += records[next].value.size();
      CUSTHUB_RETURN_IF_ERROR(ProduceOne(
          *producer, ToOut(std::move(records[next]), partitions), next + 1));
      ++result.records;
    }
    producer->Poll(0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CUSTHUB_RETURN_IF_ERROR(producer->Flush(60000));
  result.seconds = std::max(Since(start), 1e-9);
  if (failed > 0) {
    return absl::UnavailableError(
        absl::StrCat(failed, " paced records not produced"));
  }
  return result;
}

}  // namespace custhub::bench
