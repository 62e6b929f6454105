// `custhub webhook`: the HTTP gateway. POST /webhooks/{source} verifies the
// platform's signature, then produces the raw body to the matching input
// topic with the contract's headers, and answers 200 only once the broker
// has acknowledged the record, so the platform retries otherwise.
//
//   auto gw = WebhookGateway::Create(options);
//   CUSTHUB_RETURN_IF_ERROR((*gw)->Listen());   // binds; port() is known now
//   (*gw)->Serve(stop);                          // until stop is set
//
// Answers: 200 stored; 400 unknown source; 401 bad or missing signature (or
// no secret configured); 413 body over the limit; 503 the broker did not
// acknowledge in time. GET /healthz answers 200.
//
// Lifecycle: Create -> Listen -> Serve -> destroy. Thread-safety: requests
// are served on cpp-httplib's worker threads; one thread polls the producer.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "src/gateway/signatures.h"
#include "streams/options.h"

namespace custhub::gateway {

struct GatewayOptions {
  // host:port to listen on. Default: 127.0.0.1:8080.
  std::string listen = "127.0.0.1:8080";
  // Kafka bootstrap servers. Required.
  std::string bootstrap;
  streams::InputTopics topics;
  // Larger bodies get 413. Default: 1 MiB.
  size_t max_body_bytes = 1 << 20;
  // How long to wait for the broker's acknowledgement. Default: 10 s.
  int ack_timeout_ms = 10000;
  // Per-source secrets, from the config file or the environment.
  Secrets secrets;
  // Accept requests from sources without a configured secret (development
  // only). Default: false.
  bool allow_unsigned = false;
  // Signed timestamps further than this from the clock are refused as
  // replays (Zendesk, Klaviyo, SendGrid). 0: no check. Default: 5 min.
  Micros signature_max_age = 300 * kMicrosPerSecond;
  std::map<std::string, std::string> kafka_properties;
};

class WebhookGateway {
 public:
  static absl::StatusOr<std::unique_ptr<WebhookGateway>> Create(
      GatewayOptions options);
  ~WebhookGateway();

  // Binds the listening socket (port 0 picks a free one).
  absl::Status Listen();
  int port() const;
  // Serves until `stop` becomes true.
  void Serve(const std::atomic<bool>& stop);

 private:
  struct Impl;
  explicit WebhookGateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace custhub::gateway
