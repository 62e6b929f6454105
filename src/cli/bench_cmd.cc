// `custhub bench`: the benchmark of bench/ as a subcommand. Prints the table
// on stdout (progress on stderr) and, with --json FILE, the same figures as
// JSON.
//
//   custhub bench --records 20000 --customers 5000 --skip-latency --json b.json
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "bench/bench.h"
#include "src/cli/commands.h"

namespace custhub::cli {
namespace {

void Progress(absl::string_view line) {
  std::fprintf(stderr, "custhub bench: %s\n", std::string(line).c_str());
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    return absl::UnavailableError(absl::StrCat("--json: cannot write ", path));
  return absl::OkStatus();
}

}  // namespace

int RunBench(const BenchArgs& args) {
  bench::BenchOptions o;
  o.records = args.records;
  o.customers = args.customers;
  o.seed = args.seed;
  o.skew = args.skew;
  o.skip_latency = args.skip_latency;
  o.latency_seconds = args.latency_seconds;
  o.latency_rate = args.latency_rate;
  if (auto s = o.Validate(); !s.ok()) return Fail(s);

  std::string json;
  if (args.scaling) {
    auto cells = bench::RunScaling(o, Progress);
    if (!cells.ok()) return Fail(cells.status());
    std::fputs(bench::FormatScalingTable(*cells).c_str(), stdout);
    json = bench::ScalingJson(*cells);
  } else {
    auto result = bench::RunBenchmark(o, Progress);
    if (!result.ok()) return Fail(result.status());
    std::fputs(bench::FormatTable(*result).c_str(), stdout);
    json = bench::ToJson(*result);
  }
  std::fflush(stdout);
  if (!args.json.empty()) {
    if (auto s = WriteFile(args.json, json); !s.ok()) return Fail(s);
  }
  return kExitOk;
}

}  // namespace custhub::cli
