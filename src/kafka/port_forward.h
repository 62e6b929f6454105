// A loopback TCP relay that gives the embedded broker a fixed bootstrap
// port. librdkafka 2.0.2's mock brokers listen on random ports; a client
// that connects to the fixed port is relayed to broker 1, learns every
// broker's real address from the metadata, and connects to them directly.
//
//   auto relay = PortForward::Start(9092, "127.0.0.1:41651");
//   // bootstrap.servers=127.0.0.1:9092 now works
//
// Lifecycle: relays until destroyed. Thread-safety: one accept thread and
// one thread per connection, all owned by the object.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

namespace custhub::kafka {

class PortForward {
 public:
  // Listens on 127.0.0.1:`port` and relays to `target` ("host:port").
  static absl::StatusOr<std::unique_ptr<PortForward>> Start(
      int port, const std::string& target);
  ~PortForward();

 private:
  PortForward() = default;
  void AcceptLoop();

  int listen_fd_ = -1;
  std::string target_host_;
  int target_port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
};

}  // namespace custhub::kafka
