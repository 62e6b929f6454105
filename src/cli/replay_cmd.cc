// `custhub replay`: rebuild state from the earliest offsets into a fresh
// state dir, with progress, then print events/s and the state digest.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/common/log.h"
#include "streams/hub.h"

namespace custhub::cli {
namespace {

using Clock = std::chrono::steady_clock;

void Progress(bool tty, int64_t done, int64_t total, double seconds,
              uint64_t events) {
  double fraction = total > 0 ? std::min(1.0, double(done) / total) : 1.0;
  double rate = events / std::max(seconds, 1e-6);
  if (tty) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    std::fprintf(stderr, "\r[%s%s] %3.0f%% %lld/%lld records %8.0f events/s",
                 std::string(filled, '#').c_str(),
                 std::string(kWidth - filled, '.').c_str(), fraction * 100,
                 static_cast<long long>(done), static_cast<long long>(total),
                 rate);
  } else {
    std::fprintf(stderr, "replay: %3.0f%% %lld/%lld records, %.0f events/s\n",
                 fraction * 100, static_cast<long long>(done),
                 static_cast<long long>(total), rate);
  }
  std::fflush(stderr);
}

}  // namespace

int RunReplay(streams::HubOptions options, bool publish) {
  std::error_code ec;
  if (std::filesystem::exists(options.state_dir, ec) &&
      !std::filesystem::is_empty(options.state_dir, ec)) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("--state-dir: ", options.state_dir,
                     " is not empty; replay rebuilds into a fresh directory")));
  }
  options.processor.publish = publish;
  options.replay = true;
  auto hub = streams::Hub::Create(options);
  if (!hub.ok()) return Fail(hub.status());
  if (auto s = (*hub)->Start(); !s.ok()) return Fail(s);
  // Replay what the topics hold now; records produced meanwhile wait for
  // the next `custhub run`.
  auto marks = (*hub)->Watermarks();
  if (!marks.ok()) return Fail(marks.status());
  int64_t total = 0;
  for (const auto& [tp, wm] : *marks) total += wm.second - wm.first;
  auto done = [&] {
    int64_t n = 0;
    bool finished = true;
    for (const auto& [tp, wm] : *marks) {
      auto it = (*hub)->committed().find(tp);
      int64_t next = it == (*hub)->committed().end() ? wm.first : it->second;
      n += std::max<int64_t>(0, std::min(next, wm.second) - wm.first);
      finished = finished && next >= wm.second;
    }
    return std::make_pair(n, finished);
  };
  bool tty = isatty(2);
  auto start = Clock::now();
  auto last_report = start;
  for (;;) {
    auto [n, finished] = done();
    double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    if (finished) {
      Progress(tty, n, total, seconds, (*hub)->stats().events);
      break;
    }
    if (StopRequested().load())
      return Fail(absl::CancelledError("replay: interrupted"));
    auto ran = (*hub)->RunOnce();
    if (!ran.ok()) return Fail(ran.status());
    if (Clock::now() - last_report >
        std::chrono::milliseconds(tty ? 200 : 2000)) {
      Progress(tty, n, total, seconds, (*hub)->stats().events);
      last_report = Clock::now();
    }
  }
  if (tty) std::fprintf(stderr, "\n");
  if (publish) {
    if (auto s = (*hub)->Drain(30000); !s.ok()) return Fail(s);
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const auto& st = (*hub)->stats();
  auto digest = (*hub)->store()->Digest();
  if (!digest.ok()) return Fail(digest.status());
  std::printf(
      "replayed %llu records, %llu events in %.2f s: %.0f events/s "
      "(%llu duplicates, %llu to the DLQ)\n",
      (unsigned long long)st.records, (unsigned long long)st.events, seconds,
      st.events / std::max(seconds, 1e-6), (unsigned long long)st.duplicates,
      (unsigned long long)st.dlq);
  std::printf("digest=%s\n", digest->c_str());
  return kExitOk;
}

}  // namespace custhub::cli
