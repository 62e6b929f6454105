// custhub_engine: measurement (d) of `custhub bench` on its own, for
// profilers (callgrind, perf) that should not see the embedded broker.
//
//   build/bench/custhub_engine [records] [customers] [dir]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/measure.h"
#include "bench/memory.h"

int main(int argc, char** argv) {
  int64_t records = argc > 1 ? std::atoll(argv[1]) : 20000;
  int customers = argc > 2 ? std::atoi(argv[2]) : 20000;
  std::string dir = argc > 3 ? argv[3] : "/tmp/custhub-engine-bench";
  std::filesystem::remove_all(dir);
  custhub::synth::SynthOptions so;
  so.customers = customers;
  so.seed = 42;
  so.interleave = true;
  so.skew = 0.8;
  so.max_records = 2 * records;
  auto rate = custhub::bench::MeasureEngine(so, records, 16, dir);
  if (!rate.ok()) {
    std::fprintf(stderr, "%s\n", rate.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "%lld records, %lld events in %.3f s: %.0f events/s, peak RSS "
      "%.0f MiB\n",
      static_cast<long long>(rate->records),
      static_cast<long long>(rate->events), rate->seconds,
      rate->EventsPerSecond(),
      custhub::bench::ProcessPeakRssBytes() / 1048576.0);
  std::filesystem::remove_all(dir);
  return 0;
}
