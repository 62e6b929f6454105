// The benchmark's embedded broker in a child process of its own, so what
// the bench process measures (peak RSS, CPU) is the hub's, not the broker's
// copy of a million records.
//
//   auto broker = BrokerProcess::Start(3, {{"orders", 64},
//   {"customer.profiles", 4}}); std::string bootstrap = (*broker)->bootstrap();
//   uint64_t peak = (*broker)->PeakRssBytes();
//
// The child forks from the caller (no exec): call Start while no other
// thread holds a lock the child would need (the bench calls it before it
// starts any client). It serves until the BrokerProcess is destroyed or the
// parent dies (its end of the socket closes either way).
//
// Lifecycle: one child per object. Thread-safety: one thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace custhub::bench {

class BrokerProcess {
 public:
  // Starts `brokers` mock brokers in a child with `topics` (name,
  // partitions) created.
  static absl::StatusOr<std::unique_ptr<BrokerProcess>> Start(
      int brokers, const std::vector<std::pair<std::string, int>>& topics);
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  pid_t pid() const { return pid_; }
  // The child's peak resident set size so far (VmHWM); 0 if unknown.
  uint64_t PeakRssBytes() const;

 private:
  BrokerProcess() = default;
  pid_t pid_ = -1;
  int fd_ = -1;  // the parent's end of the socket pair
  std::string bootstrap_;
};

}  // namespace custhub::bench
