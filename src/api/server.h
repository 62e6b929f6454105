// The HTTP API of a running hub (`custhub run --http ADDR`): profiles,
// timelines and triggers as JSON, health and readiness probes, Prometheus
// metrics and the customer inspector page.
//
//   MetricsRegistry metrics;
//   api::ApiServer::Sources sources{hub->store(), &metrics,
//                                   [&] { return hub->ready(); }};
//   auto server = api::ApiServer::Create({.listen = "127.0.0.1:0"}, sources);
//   CUSTHUB_RETURN_IF_ERROR((*server)->Start());  // binds, serves in
//   background printf("http=%d\n", (*server)->port());
//   ...
//   (*server)->Stop();
//
// Endpoints (GET):
//   /                                 the customer inspector page (HTML)
//   /v1/profiles/{id}                 profile JSON; id: customer id, email,
//                                     phone or source:id. 404 if unknown.
//   /v1/profiles/{id}/timeline?limit  newest folded events first
//   /v1/profiles/{id}/triggers?limit  newest triggers first
//   /healthz                          200 "ok" while the process serves
//   /readyz                           200 once caught up, 503 before
//   /metrics                          Prometheus text format 0.0.4
// Errors are JSON: {"error": {"code": 404, "message": "..."}}.
//
// Lifecycle: Create -> Start -> Stop (or destroy). Thread-safety: requests
// run on cpp-httplib's worker threads and only read: the store (safe beside
// the hub's writes and Scrub), the metrics registry and `ready`.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "src/common/metrics.h"
#include "src/store/state_store.h"

namespace custhub::api {

struct ApiOptions {
  // host:port to listen on; port 0 picks a free one. Default: 127.0.0.1:8081.
  std::string listen = "127.0.0.1:8081";
  // Timeline and trigger entries per answer without ?limit. Default: 50.
  size_t default_limit = 50;
  // Larger ?limit values are cut to this. Default: 500.
  size_t max_limit = 500;

  absl::Status Validate() const;
};

class ApiServer {
 public:
  // What the server reads. Borrowed: each must outlive the server.
  struct Sources {
    // The hub's state. Required.
    store::StateStore* store = nullptr;
    // Rendered by /metrics, after the store's size and stall gauges are
    // refreshed in it. Null: /metrics answers with the store gauges only.
    MetricsRegistry* metrics = nullptr;
    // Whether the hub has caught up (for /readyz); called on HTTP threads,
    // so it must be thread-safe. Empty: always ready.
    std::function<bool()> ready;
  };

  static absl::StatusOr<std::unique_ptr<ApiServer>> Create(ApiOptions options,
                                                           Sources sources);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the socket and serves on a background thread. Unavailable if the
  // address cannot be bound.
  absl::Status Start();
  // The bound port (after Start).
  int port() const;
  // Stops serving and joins the server thread. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace custhub::api
