#include <cstdio>

#include "src/api/server.h"
#include "src/cli/commands.h"
#include "src/common/log.h"
#include "src/common/metrics.h"
#include "streams/hub.h"

namespace custhub::cli {

int RunHub(const streams::HubOptions& options, const std::string& http_listen) {
  api::ApiOptions api_options;
  api_options.listen = http_listen;
  // A bad --http is a usage error, found before the hub starts.
  if (!http_listen.empty()) {
    if (auto s = api_options.Validate(); !s.ok()) return Fail(s);
  }
  auto hub = streams::Hub::Create(options);
  if (!hub.ok()) return Fail(hub.status());
  streams::Hub* h = hub->get();
  MetricsRegistry metrics;
  if (!http_listen.empty()) h->SetMetrics(&metrics);
  if (auto s = h->Start(); !s.ok()) return Fail(s);
  std::unique_ptr<api::ApiServer> server;
  if (!http_listen.empty()) {
    auto created = api::ApiServer::Create(
        api_options, {h->store(), &metrics, [h] { return h->ready(); }});
    if (!created.ok()) return Fail(created.status());
    server = std::move(*created);
    if (auto s = server->Start(); !s.ok()) return Fail(s);
    // Scripts and tests read the bound port (--http 127.0.0.1:0) here.
    std::printf("http=%d\n", server->port());
    std::fflush(stdout);
  }
  absl::Status ran = h->Run(StopRequested());
  if (server) server->Stop();  // before the hub and its store go
  if (!ran.ok()) return Fail(ran);
  const auto& st = h->stats();
  Log(LogLevel::kInfo, "hub stopped",
      {{"records", std::to_string(st.records)},
       {"events", std::to_string(st.events)},
       {"duplicates", std::to_string(st.duplicates)},
       {"dlq", std::to_string(st.dlq)}});
  return kExitOk;
}

}  // namespace custhub::cli
