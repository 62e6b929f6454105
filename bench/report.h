// The benchmark's figures, as a table for people and as JSON for scripts
// (`custhub bench --json FILE`). Both carry the same numbers.
//
//   BenchResult r = *RunBenchmark(options);
//   std::fputs(FormatTable(r).c_str(), stdout);
//   std::string json = ToJson(r);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/measure.h"
#include "bench/options.h"

namespace custhub::bench {

struct BenchResult {
  BenchOptions options;
  int input_partitions = 0;
  // The workload as produced.
  ProduceResult produced;
  int64_t events = 0;      // distinct valid events in the records
  int64_t duplicates = 0;  // retried deliveries among the records
  int64_t malformed = 0;
  int64_t customers_drawn = 0;  // distinct customers with records
  BrokerCount broker;           // what the broker kept
  // (a) .. (d).
  Rate raw_consume;
  Rate raw_rocksdb;
  Rate hub;
  Rate engine;
  // The hub's own counters after (c).
  int64_t hub_duplicates = 0;
  int64_t hub_dlq = 0;
  int64_t hub_profiles_published = 0;
  int64_t hub_batches = 0;
  // (e), unless skipped.
  bool latency_measured = false;
  Latency latency;
  // (g) `custhub replay` of the topics after (c) and (e): a fresh hub in
  // replay mode, publishing nothing, into an empty state dir; and whether
  // its state digest equals the live hub's.
  Rate replay;
  bool replay_same_state = false;
  std::string replay_difference;  // per family, when the digests differ
  // Merges and refused links (the per-identifier limit) of the live hub
  // and of the replay: which links a limit refuses depends on the order
  // records of different partitions arrive in.
  int64_t hub_merges = 0, hub_refused_links = 0;
  int64_t replay_merges = 0, replay_refused_links = 0;
  // The input merge's escapes (streams/merge.h) in (c) and in (g): records
  // released before every partition had shown its next one (the merge's
  // buffer full), and partitions gone ahead without after their wait.
  int64_t hub_merge_forced = 0, hub_merge_silent = 0;
  int64_t replay_merge_forced = 0, replay_merge_silent = 0;
  // (f).
  // The bench process (hub, raw runs, engine); the broker runs in a child
  // process of its own (BrokerProcess).
  uint64_t rss_peak_bytes = 0;
  uint64_t hub_rss_peak_bytes = 0;     // the process's peak during (c)
  uint64_t hub_rss_growth_bytes = 0;   // peak during (c) over the RSS before it
  uint64_t broker_rss_peak_bytes = 0;  // the broker process's peak
  StateSize state;
  double total_seconds = 0;
};

struct ScalingCell {
  int customers = 0;
  int64_t records = 0;
  bool truncated = false;
  Rate hub;
  uint64_t hub_rss_growth_bytes = 0;
  uint64_t rss_peak_bytes = 0;  // the bench process's peak during the cell
  StateSize state;
};

std::string FormatTable(const BenchResult& r);
std::string ToJson(const BenchResult& r);
std::string FormatScalingTable(const std::vector<ScalingCell>& cells);
std::string ScalingJson(const std::vector<ScalingCell>& cells);

}  // namespace custhub::bench
