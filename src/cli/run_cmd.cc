#include "src/cli/commands.h"
#include "src/common/log.h"
#include "streams/hub.h"

namespace custhub::cli {

int RunHub(const streams::HubOptions& options) {
  auto hub = streams::Hub::Create(options);
  if (!hub.ok()) return Fail(hub.status());
  if (auto s = (*hub)->Start(); !s.ok()) return Fail(s);
  if (auto s = (*hub)->Run(StopRequested()); !s.ok()) return Fail(s);
  const auto& st = (*hub)->stats();
  Log(LogLevel::kInfo, "hub stopped",
      {{"records", std::to_string(st.records)},
       {"events", std::to_string(st.events)},
       {"duplicates", std::to_string(st.duplicates)},
       {"dlq", std::to_string(st.dlq)}});
  return kExitOk;
}

}  // namespace custhub::cli
