#include "bench/bench.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/memory.h"
#include "bench/workload.h"
#include "src/common/status.h"
#include "src/store/state_store.h"
#include "streams/hub.h"

namespace custhub::bench {
namespace {

using Clock = std::chrono::steady_clock;

synth::SynthOptions Workload(const BenchOptions& o, int customers) {
  synth::SynthOptions so;
  so.customers = customers;
  so.seed = o.seed;
  so.interleave = true;
  so.skew = o.skew;
  // Room for the latency phase after the measured records.
  so.max_records = 2 * o.records;
  return so;
}

// How two stores' customer state differs, family by family: keys whose
// values differ, keys only in `a`, keys only in `b`, and a few of them.
absl::StatusOr<std::string> DescribeDifference(store::StateStore& a,
                                               store::StateStore& b) {
  std::string out;
  for (store::Cf cf :
       {store::Cf::kProfiles, store::Cf::kLedgers, store::Cf::kIdentifiers}) {
    std::map<std::string, std::string> left;
    CUSTHUB_RETURN_IF_ERROR(
        a.ForEach(cf, "", [&](absl::string_view k, absl::string_view v) {
          left.emplace(std::string(k), std::string(v));
          return true;
        }));
    int64_t differ = 0, only_b = 0;
    std::string examples;
    auto example = [&](absl::string_view what, absl::string_view key) {
      if (examples.size() < 200) {
        absl::StrAppend(&examples, " ", what, ":", absl::CHexEscape(key));
      }
    };
    CUSTHUB_RETURN_IF_ERROR(
        b.ForEach(cf, "", [&](absl::string_view k, absl::string_view v) {
          auto it = left.find(std::string(k));
          if (it == left.end()) {
            ++only_b;
            example("+", k);
            return true;
          }
          if (it->second != v) {
            ++differ;
            example("~", k);
          }
          left.erase(it);
          return true;
        }));
    for (const auto& [k, v] : left) example("-", k);
    absl::StrAppendFormat(&out,
                          "%s: %d differ, %d only live, %d only replay;%s\n",
                          store::CfName(cf), differ,
                          static_cast<int64_t>(left.size()), only_b, examples);
  }
  return out;
}

// Generous: a slow hub should report its figures, not time out.
int HubTimeout(int64_t records) {
  return static_cast<int>(120 + records / 1000);
}

absl::StatusOr<std::unique_ptr<streams::Hub>> StartHub(
    const BenchCluster& cluster, const std::string& state_dir) {
  streams::HubOptions ho;
  ho.bootstrap = cluster.bootstrap();
  ho.state_dir = state_dir;
  CUSTHUB_ASSIGN_OR_RETURN(auto hub, streams::Hub::Create(ho));
  CUSTHUB_RETURN_IF_ERROR(hub->Start());
  return hub;
}

// Runs the hub over everything the broker holds; measures its memory growth.
absl::StatusOr<Rate> MeasureHub(streams::Hub& hub, int64_t records,
                                uint64_t* rss_growth, uint64_t* phase_peak) {
  ReleaseFreeMemory();
  uint64_t before = CurrentRssBytes();
  ResetPhasePeak();
  CUSTHUB_ASSIGN_OR_RETURN(Rate rate,
                           RunHubUntil(hub, records, HubTimeout(records)));
  *phase_peak = PhasePeakRssBytes();
  *rss_growth = *phase_peak > before ? *phase_peak - before : 0;
  CUSTHUB_ASSIGN_OR_RETURN(bool caught_up, hub.CaughtUp());
  if (!caught_up) {
    return absl::InternalError(
        "hub: counted every record but is not caught up");
  }
  return rate;
}

}  // namespace

absl::Status BenchOptions::Validate() const {
  if (records < 100 || records > 100'000'000) {
    return absl::InvalidArgumentError("--records: must be 100..100000000");
  }
  if (customers < 1 || customers > 8'000'000) {
    return absl::InvalidArgumentError("--customers: must be 1..8000000");
  }
  if (skew < 0 || skew > 3) {
    return absl::InvalidArgumentError("--skew: must be 0..3");
  }
  if (latency_seconds <= 0 || latency_seconds > 600) {
    return absl::InvalidArgumentError("--latency-seconds: must be in (0, 600]");
  }
  if (latency_rate < 0 || latency_rate > 10'000'000) {
    return absl::InvalidArgumentError(
        "--latency-rate: must be 0..10000000 records/s");
  }
  if (partitions < 0 || partitions > 1024) {
    return absl::InvalidArgumentError("--partitions: must be 0..1024");
  }
  return absl::OkStatus();
}

absl::StatusOr<BenchResult> RunBenchmark(const BenchOptions& o,
                                         const Progress& progress) {
  CUSTHUB_RETURN_IF_ERROR(o.Validate());
  auto started = Clock::now();
  BenchResult r;
  r.options = o;
  ScopedTempDir dir;
  if (dir.path().empty()) return absl::InternalError("bench: no temp dir");
  r.input_partitions =
      o.partitions > 0 ? o.partitions : InputPartitionsFor(o.records);
  synth::SynthOptions workload = Workload(o, o.customers);

  CUSTHUB_ASSIGN_OR_RETURN(auto cluster,
                           BenchCluster::Start(r.input_partitions));
  synth::SyntheticStream stream(workload);
  progress(absl::StrFormat("producing %d records to the embedded broker...",
                           o.records));
  CUSTHUB_ASSIGN_OR_RETURN(
      r.produced,
      ProduceFast(cluster->bootstrap(), stream, o.records, r.input_partitions));
  r.events = stream.events();
  r.duplicates = stream.duplicates();
  r.malformed = stream.malformed();
  r.customers_drawn = stream.customers_drawn();
  CUSTHUB_ASSIGN_OR_RETURN(r.broker, cluster->CountInputRecords());
  if (r.broker.truncated_partitions > 0 ||
      r.broker.records != r.produced.records) {
    progress(absl::StrFormat(
        "warning: the broker kept %d of %d records (%d partitions truncated); "
        "rates below count what it kept",
        r.broker.records, r.produced.records, r.broker.truncated_partitions));
  }
  const int64_t kept = r.broker.records;

  progress("(a) raw librdkafka consume...");
  CUSTHUB_ASSIGN_OR_RETURN(r.raw_consume, MeasureRawConsume(*cluster, kept));

  progress("(b) raw RocksDB WriteBatch puts...");
  CUSTHUB_ASSIGN_OR_RETURN(
      r.raw_rocksdb, MeasureRawRocksDb(dir.Sub("rocksdb-raw"), o.records));
  std::error_code ec;
  std::filesystem::remove_all(dir.Sub("rocksdb-raw"), ec);

  progress("(c) custhub end-to-end...");
  std::string live_digest;  // the state after (c) and (e), for (g)
  {
    CUSTHUB_ASSIGN_OR_RETURN(auto hub, StartHub(*cluster, dir.Sub("state")));
    CUSTHUB_ASSIGN_OR_RETURN(
        r.hub,
        MeasureHub(*hub, kept, &r.hub_rss_growth_bytes, &r.hub_rss_peak_bytes));
    const auto& st = hub->stats();
    r.hub_duplicates = static_cast<int64_t>(st.duplicates);
    r.hub_dlq = static_cast<int64_t>(st.dlq);
    r.hub_merge_forced = static_cast<int64_t>(hub->merge_stats().forced);
    r.hub_merge_silent = static_cast<int64_t>(hub->merge_stats().waits_expired);
    r.hub_profiles_published = static_cast<int64_t>(st.profiles_published);
    r.hub_batches = static_cast<int64_t>(st.batches);
    progress("(f) state size on disk...");
    CUSTHUB_ASSIGN_OR_RETURN(r.state, MeasureState(*hub->store()));

    if (!o.skip_latency) {
      double rate = o.latency_rate > 0
                        ? o.latency_rate
                        : std::max(1.0, 0.5 * r.hub.RecordsPerSecond());
      auto count = static_cast<int64_t>(
          std::min<double>(rate * o.latency_seconds, o.records));
      std::vector<synth::SynthRecord> paced;
      stream.Next(static_cast<size_t>(count), &paced);
      progress(absl::StrFormat("(e) latency: %d records at %.0f records/s...",
                               paced.size(), rate));
      CUSTHUB_ASSIGN_OR_RETURN(
          r.latency, MeasureLatency(*hub, *cluster, std::move(paced), rate));
      r.latency_measured = true;
    }
    // After (e), so the latency phase runs on the store as (c) left it.
    progress("(f) state after a full compaction...");
    CUSTHUB_RETURN_IF_ERROR(MeasureCompactedState(*hub->store(), &r.state));
    CUSTHUB_ASSIGN_OR_RETURN(live_digest, hub->store()->Digest());
    r.hub_merges = static_cast<int64_t>(hub->stats().merges);
    r.hub_refused_links = static_cast<int64_t>(hub->stats().refused_links);
  }
  ReleaseFreeMemory();

  progress("(g) replay: state rebuilt from the topics, nothing published...");
  {
    streams::HubOptions ho;
    ho.bootstrap = cluster->bootstrap();
    ho.state_dir = dir.Sub("replay");
    ho.replay = true;
    ho.processor.publish = false;
    CUSTHUB_ASSIGN_OR_RETURN(auto hub, streams::Hub::Create(ho));
    CUSTHUB_RETURN_IF_ERROR(hub->Start());
    CUSTHUB_ASSIGN_OR_RETURN(auto marks, hub->Watermarks());
    int64_t total = 0;
    for (const auto& [tp, wm] : marks) total += wm.second - wm.first;
    CUSTHUB_ASSIGN_OR_RETURN(r.replay,
                             RunHubUntil(*hub, total, HubTimeout(total)));
    CUSTHUB_ASSIGN_OR_RETURN(std::string digest, hub->store()->Digest());
    r.replay_same_state = digest == live_digest;
    if (!r.replay_same_state) {
      // Say how: the live hub's store is closed but still on disk.
      CUSTHUB_ASSIGN_OR_RETURN(auto live,
                               store::StateStore::OpenReader(dir.Sub("state")));
      CUSTHUB_ASSIGN_OR_RETURN(r.replay_difference,
                               DescribeDifference(*live, *hub->store()));
    }
    r.replay_merges = static_cast<int64_t>(hub->stats().merges);
    r.replay_refused_links = static_cast<int64_t>(hub->stats().refused_links);
    r.replay_merge_forced = static_cast<int64_t>(hub->merge_stats().forced);
    r.replay_merge_silent =
        static_cast<int64_t>(hub->merge_stats().waits_expired);
  }
  std::filesystem::remove_all(dir.Sub("replay"), ec);
  ReleaseFreeMemory();

  progress("(d) decode+fold+store engine without Kafka...");
  CUSTHUB_ASSIGN_OR_RETURN(
      r.engine, MeasureEngine(workload, o.records, r.input_partitions,
                              dir.Sub("engine")));

  // A phase's VmHWM and the process's peak are read at different times
  // (clear_refs resets one, not the other): the process peak includes (c)'s.
  r.rss_peak_bytes = std::max(ProcessPeakRssBytes(), r.hub_rss_peak_bytes);
  r.broker_rss_peak_bytes = cluster->BrokerPeakRssBytes();
  r.total_seconds =
      std::chrono::duration<double>(Clock::now() - started).count();
  return r;
}

absl::StatusOr<std::vector<ScalingCell>> RunScaling(const BenchOptions& o,
                                                    const Progress& progress) {
  CUSTHUB_RETURN_IF_ERROR(o.Validate());
  std::vector<ScalingCell> cells;
  for (int customers : {10'000, 100'000, 1'000'000}) {
    for (int64_t records : {int64_t{100'000}, int64_t{1'000'000}}) {
      if (records > o.records) continue;
      progress(absl::StrFormat("scaling: %d customers, %d records...",
                               customers, records));
      ScopedTempDir dir;
      ScalingCell cell;
      cell.customers = customers;
      cell.records = records;
      int partitions = InputPartitionsFor(records);
      BenchOptions cell_options = o;
      cell_options.records = records;
      CUSTHUB_ASSIGN_OR_RETURN(auto cluster, BenchCluster::Start(partitions));
      synth::SyntheticStream stream(Workload(cell_options, customers));
      CUSTHUB_ASSIGN_OR_RETURN(
          ProduceResult produced,
          ProduceFast(cluster->bootstrap(), stream, records, partitions));
      CUSTHUB_ASSIGN_OR_RETURN(BrokerCount kept, cluster->CountInputRecords());
      cell.truncated = kept.records != produced.records;
      CUSTHUB_ASSIGN_OR_RETURN(auto hub, StartHub(*cluster, dir.Sub("state")));
      CUSTHUB_ASSIGN_OR_RETURN(
          cell.hub, MeasureHub(*hub, kept.records, &cell.hub_rss_growth_bytes,
                               &cell.rss_peak_bytes));
      CUSTHUB_ASSIGN_OR_RETURN(cell.state, MeasureState(*hub->store()));
      cells.push_back(cell);
      hub.reset();
      cluster.reset();
      ReleaseFreeMemory();
    }
  }
  return cells;
}

}  // namespace custhub::bench
