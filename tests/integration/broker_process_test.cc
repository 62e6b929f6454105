// The bench's broker in a child process: a real Kafka endpoint served by
// another process, gone (and reaped) when its owner is.
#include "bench/broker_process.h"

#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>

#include "src/kafka/client.h"

using custhub::bench::BrokerProcess;
namespace kafka = custhub::kafka;

TEST_CASE("the bench broker serves from a child process until destroyed",
          "[integration][bench]") {
  auto started = BrokerProcess::Start(2, {{"orders", 3}, {"support", 1}});
  REQUIRE(started.ok());
  std::unique_ptr<BrokerProcess> broker = std::move(*started);
  pid_t child = broker->pid();
  CHECK(child > 0);
  CHECK(child != ::getpid());
  CHECK(broker->PeakRssBytes() > 0);

  // The topics exist with their partitions, and a record goes through.
  auto consumer = kafka::Consumer::Create({broker->bootstrap(), {}});
  REQUIRE(consumer.ok());
  auto orders = kafka::PartitionCount((*consumer)->handle(), "orders", 10000);
  REQUIRE(orders.ok());
  CHECK(*orders == 3);
  auto support = kafka::PartitionCount((*consumer)->handle(), "support", 10000);
  REQUIRE(support.ok());
  CHECK(*support == 1);
  int delivered = 0;
  auto producer = kafka::Producer::Create(
      {broker->bootstrap(), {}},
      [&](uint64_t, absl::Status s) { delivered += s.ok() ? 1 : 0; });
  REQUIRE(producer.ok());
  kafka::OutRecord record;
  record.topic = "orders";
  record.key = "k";
  record.value = "v";
  record.partition = 1;
  REQUIRE((*producer)->Produce(record, 1).ok());
  REQUIRE((*producer)->Flush(10000).ok());
  CHECK(delivered == 1);
  auto marks = kafka::Watermarks((*consumer)->handle(), "orders", 1, 10000);
  REQUIRE(marks.ok());
  CHECK(marks->second - marks->first == 1);
  producer->reset();
  consumer->reset();

  broker.reset();
  // Reaped: no such process any more.
  CHECK(::kill(child, 0) == -1);
  CHECK(errno == ESRCH);
}
