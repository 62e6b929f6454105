// `custhub bench`: the whole benchmark in one process, on an embedded broker
// and RocksDB in a temporary directory. It produces the synthetic workload,
// then measures raw consumption, raw RocksDB writes, the hub end to end,
// latency at half that rate, the engine without Kafka, memory and state size.
// RunScaling() repeats the end-to-end figure over a matrix of customers and
// records.
//
//   BenchOptions o;
//   o.records = 20000;
//   auto result = RunBenchmark(o, [](absl::string_view s) { Log(s); });
//   std::fputs(FormatTable(*result).c_str(), stdout);
//
// Thread-safety: one run at a time per process (memory figures are
// process-wide).
#pragma once

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/options.h"
#include "bench/report.h"

namespace custhub::bench {

// Called with a line at the start of each phase.
using Progress = std::function<void(absl::string_view)>;

absl::StatusOr<BenchResult> RunBenchmark(const BenchOptions& options,
                                         const Progress& progress);

// Customers 10k, 100k, 1M by records 100k, 1M; cells with more records than
// options.records are left out. Uses options.skew and options.seed.
absl::StatusOr<std::vector<ScalingCell>> RunScaling(const BenchOptions& options,
                                                    const Progress& progress);

}  // namespace custhub::bench
