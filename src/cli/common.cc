#include <csignal>
#include <cstdio>

#include "src/cli/commands.h"

namespace custhub::cli {

std::atomic<bool>& StopRequested() {
  static std::atomic<bool> stop{false};
  return stop;
}

namespace {
void OnSignal(int) { StopRequested().store(true); }
}  // namespace

void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "custhub: %s\n", std::string(status.message()).c_str());
  if (absl::IsInvalidArgument(status)) return kExitUsage;
  return kExitFailure;
}

}  // namespace custhub::cli
