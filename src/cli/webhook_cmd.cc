// `custhub webhook`: the HTTP gateway.
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "src/cli/commands.h"
#include "src/cli/config_file.h"
#include "src/common/log.h"
#include "src/gateway/server.h"

namespace custhub::cli {

int RunWebhook(gateway::GatewayOptions options, const std::string& config) {
  auto secrets = ConfigSecrets(config);
  if (!secrets.ok()) return Fail(secrets.status());
  options.secrets = *secrets;
  // CUSTHUB_SECRET_<SOURCE> beats the file.
  for (const char* source : {"shopify", "woocommerce", "magento", "zendesk",
                             "gorgias", "sendgrid", "mailchimp", "klaviyo"}) {
    std::string var = "CUSTHUB_SECRET_" + absl::AsciiStrToUpper(source);
    if (const char* v = std::getenv(var.c_str()); v != nullptr && *v) {
      options.secrets[source] = v;
    }
  }
  auto gw = gateway::WebhookGateway::Create(std::move(options));
  if (!gw.ok()) return Fail(gw.status());
  if (auto s = (*gw)->Listen(); !s.ok()) return Fail(s);
  std::printf("listening=%d\n", (*gw)->port());
  std::fflush(stdout);
  Log(LogLevel::kInfo, "webhook gateway listening",
      {{"port", std::to_string((*gw)->port())}});
  (*gw)->Serve(StopRequested());
  Log(LogLevel::kInfo, "webhook gateway stopped");
  return kExitOk;
}

}  // namespace custhub::cli
