#include "bench/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace custhub::bench {
namespace {

double Mib(uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

void Row(std::string* out, const char* what, const Rate& r, bool events) {
  absl::StrAppendFormat(
      out, "  %-44s %12.0f %12s %9.2f s\n", what, r.RecordsPerSecond(),
      events ? absl::StrFormat("%.0f", r.EventsPerSecond()) : std::string("-"),
      r.seconds);
}

std::string RateJson(const Rate& r) {
  return absl::StrFormat(
      R"({"records": %d, "events": %d, "seconds": %.6f, "records_per_s": %.1f, "events_per_s": %.1f})",
      r.records, r.events, r.seconds, r.RecordsPerSecond(),
      r.EventsPerSecond());
}

}  // namespace

std::string FormatTable(const BenchResult& r) {
  const BenchOptions& o = r.options;
  std::string out;
  absl::StrAppendFormat(
      &out,
      "custhub bench: %d records (%.0f B average, lz4), %d customers "
      "(Zipf %.2f; %d drawn), seed %d\n"
      "  %d input partitions per topic; broker kept %d records%s\n"
      "  produced at %.0f records/s (%.1f MiB/s of bodies)\n\n",
      r.produced.records,
      r.produced.records ? double(r.produced.value_bytes) / r.produced.records
                         : 0.0,
      o.customers, o.skew, r.customers_drawn, o.seed, r.input_partitions,
      r.broker.records,
      r.broker.truncated_partitions > 0
          ? absl::StrFormat(" -- TRUNCATED in %d partitions",
                            r.broker.truncated_partitions)
          : std::string(" (none truncated)"),
      r.produced.records / r.produced.seconds,
      Mib(r.produced.value_bytes) / r.produced.seconds);
  absl::StrAppendFormat(&out, "  %-44s %12s %12s %11s\n", "measurement",
                        "records/s", "events/s", "time");
  Row(&out, "(a) raw librdkafka consume", r.raw_consume, false);
  Row(&out, "(b) raw RocksDB WriteBatch put (300 B, fsync)", r.raw_rocksdb,
      false);
  Row(&out, "(c) custhub end-to-end (Hub, caught up)", r.hub, true);
  Row(&out, "(d) decode+fold+store engine, no Kafka", r.engine, true);
  Row(&out, "(g) custhub replay (fresh state, no publish)", r.replay, true);
  absl::StrAppendFormat(
      &out,
      "  (g) replayed state digest %s the live hub's (merges %d / %d, links "
      "refused %d / %d)\n",
      r.replay_same_state ? "equals" : "DIFFERS FROM", r.hub_merges,
      r.replay_merges, r.hub_refused_links, r.replay_refused_links);
  absl::StrAppendFormat(
      &out,
      "  input order escapes, (c) / (g): %d / %d records released with the "
      "merge's buffer full, %d / %d silent partitions gone ahead without\n",
      r.hub_merge_forced, r.replay_merge_forced, r.hub_merge_silent,
      r.replay_merge_silent);
  if (!r.replay_difference.empty()) {
    absl::string_view lines = r.replay_difference;
    while (!lines.empty() && lines.back() == '\n') lines.remove_suffix(1);
    absl::StrAppend(&out, "      ",
                    absl::StrReplaceAll(lines, {{"\n", "\n      "}}), "\n");
  }
  absl::StrAppendFormat(
      &out,
      "\n  ratio c/a (end-to-end / raw consume)        %8.3f\n"
      "  ratio c/b (end-to-end / raw RocksDB puts)   %8.3f\n",
      Ratio(r.hub.RecordsPerSecond(), r.raw_consume.RecordsPerSecond()),
      Ratio(r.hub.RecordsPerSecond(), r.raw_rocksdb.RecordsPerSecond()));
  if (r.latency_measured) {
    absl::StrAppendFormat(
        &out,
        "  (e) latency at %.0f records/s (asked %.0f), %d samples:\n"
        "      to outputs confirmed  p50 %.1f ms  p99 %.1f ms  max %.1f ms\n"
        "      to outputs sent       p50 %.1f ms  p99 %.1f ms\n",
        r.latency.achieved_rate, r.latency.target_rate, r.latency.samples,
        r.latency.p50_ms, r.latency.p99_ms, r.latency.max_ms,
        r.latency.sent_p50_ms, r.latency.sent_p99_ms);
  } else {
    absl::StrAppend(&out,
                    "  (e) latency                                 skipped\n");
  }
  absl::StrAppendFormat(
      &out,
      "  (f) peak RSS of the hub during (c) %.0f MiB (growth %.0f MiB); of "
      "the bench process %.0f MiB; of the broker (its own process) %.0f "
      "MiB\n"
      "      state on disk %.1f MiB for %d customers = %.0f bytes/customer "
      "as the run left it\n"
      "      after a full compaction %.1f MiB for %d customers = %.0f "
      "bytes/customer\n"
      "  hub: %d duplicates dropped, %d dead-lettered, %d profiles "
      "published, %d batches\n"
      "  total %.1f s\n",
      Mib(r.hub_rss_peak_bytes), Mib(r.hub_rss_growth_bytes),
      Mib(r.rss_peak_bytes), Mib(r.broker_rss_peak_bytes),
      Mib(r.state.disk_bytes), r.state.customers, r.state.BytesPerCustomer(),
      Mib(r.state.compacted_bytes), r.state.compacted_customers,
      r.state.CompactedBytesPerCustomer(), r.hub_duplicates, r.hub_dlq,
      r.hub_profiles_published, r.hub_batches, r.total_seconds);
  return out;
}

std::string ToJson(const BenchResult& r) {
  const BenchOptions& o = r.options;
  std::string out = "{\n";
  absl::StrAppendFormat(
      &out,
      R"(  "workload": {"records": %d, "customers": %d, "skew": %.3f, "seed": %d, "customers_drawn": %d, "events": %d, "duplicates": %d, "malformed": %d, "average_record_bytes": %.1f, "input_partitions": %d},)"
      "\n",
      o.records, o.customers, o.skew, o.seed, r.customers_drawn, r.events,
      r.duplicates, r.malformed,
      r.produced.records ? double(r.produced.value_bytes) / r.produced.records
                         : 0.0,
      r.input_partitions);
  absl::StrAppendFormat(&out,
                        R"(  "records_produced": %d,)"
                        "\n",
                        r.produced.records);
  absl::StrAppendFormat(
      &out,
      R"(  "produce": {"records_per_s": %.1f, "seconds": %.6f},)"
      "\n",
      r.produced.records / r.produced.seconds, r.produced.seconds);
  absl::StrAppendFormat(
      &out,
      R"(  "broker": {"records": %d, "truncated_partitions": %d},)"
      "\n",
      r.broker.records, r.broker.truncated_partitions);
  absl::StrAppend(&out, R"(  "raw_consume": )", RateJson(r.raw_consume), ",\n");
  absl::StrAppend(&out, R"(  "raw_rocksdb": )", RateJson(r.raw_rocksdb), ",\n");
  absl::StrAppend(&out, R"(  "end_to_end": )", RateJson(r.hub), ",\n");
  absl::StrAppend(&out, R"(  "engine": )", RateJson(r.engine), ",\n");
  absl::StrAppend(&out, R"(  "replay": )", RateJson(r.replay), ",\n");
  absl::StrAppend(&out, R"(  "replay_same_state": )",
                  r.replay_same_state ? "true" : "false", ",\n");
  absl::StrAppendFormat(
      &out,
      R"(  "merges": {"live": %d, "replay": %d, "refused_links_live": %d, "refused_links_replay": %d},)"
      "\n",
      r.hub_merges, r.replay_merges, r.hub_refused_links,
      r.replay_refused_links);
  absl::StrAppendFormat(
      &out,
      R"(  "merge_escapes": {"forced_live": %d, "forced_replay": %d, "silent_live": %d, "silent_replay": %d},)"
      "\n",
      r.hub_merge_forced, r.replay_merge_forced, r.hub_merge_silent,
      r.replay_merge_silent);
  absl::StrAppendFormat(
      &out,
      R"(  "hub": {"duplicates": %d, "dlq": %d, "profiles_published": %d, "batches": %d},)"
      "\n",
      r.hub_duplicates, r.hub_dlq, r.hub_profiles_published, r.hub_batches);
  absl::StrAppendFormat(
      &out,
      R"(  "ratio_end_to_end_over_raw_consume": %.4f,)"
      "\n"
      R"(  "ratio_end_to_end_over_raw_rocksdb": %.4f,)"
      "\n",
      Ratio(r.hub.RecordsPerSecond(), r.raw_consume.RecordsPerSecond()),
      Ratio(r.hub.RecordsPerSecond(), r.raw_rocksdb.RecordsPerSecond()));
  if (r.latency_measured) {
    absl::StrAppendFormat(
        &out,
        R"(  "latency": {"target_rate": %.1f, "achieved_rate": %.1f, "samples": %d, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "sent_p50_ms": %.3f, "sent_p99_ms": %.3f},)"
        "\n",
        r.latency.target_rate, r.latency.achieved_rate, r.latency.samples,
        r.latency.p50_ms, r.latency.p99_ms, r.latency.max_ms,
        r.latency.sent_p50_ms, r.latency.sent_p99_ms);
  } else {
    absl::StrAppend(&out, R"(  "latency": null,)"
                          "\n");
  }
  absl::StrAppendFormat(
      &out,
      R"(  "rss_peak_bytes": %d,)"
      "\n"
      R"(  "hub_rss_peak_bytes": %d,)"
      "\n"
      R"(  "broker_rss_peak_bytes": %d,)"
      "\n"
      R"(  "hub_rss_growth_bytes": %d,)"
      "\n"
      R"(  "state": {"customers": %d, "disk_bytes": %d, "bytes_per_customer": %.1f, )"
      R"("compacted_customers": %d, "compacted_bytes": %d, "compacted_bytes_per_customer": %.1f},)"
      "\n"
      R"(  "total_seconds": %.3f)"
      "\n}\n",
      r.rss_peak_bytes, r.hub_rss_peak_bytes, r.broker_rss_peak_bytes,
      r.hub_rss_growth_bytes, r.state.customers, r.state.disk_bytes,
      r.state.BytesPerCustomer(), r.state.compacted_customers,
      r.state.compacted_bytes, r.state.CompactedBytesPerCustomer(),
      r.total_seconds);
  return out;
}

std::string FormatScalingTable(const std::vector<ScalingCell>& cells) {
  std::string out = absl::StrFormat(
      "%10s %10s %12s %12s %10s %12s %10s %10s\n", "customers", "records",
      "records/s", "events/s", "time", "hub RSS", "peak RSS", "B/customer");
  for (const auto& c : cells) {
    absl::StrAppendFormat(
        &out, "%10d %10d %12.0f %12.0f %8.1f s %8.0f MiB %6.0f MiB %10.0f%s\n",
        c.customers, c.records, c.hub.RecordsPerSecond(),
        c.hub.EventsPerSecond(), c.hub.seconds, Mib(c.hub_rss_growth_bytes),
        Mib(c.rss_peak_bytes), c.state.BytesPerCustomer(),
        c.truncated ? "  (broker truncated)" : "");
  }
  return out;
}

std::string ScalingJson(const std::vector<ScalingCell>& cells) {
  std::string out = "{\"scaling\": [\n";
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto& c = cells[i];
    absl::StrAppendFormat(
        &out,
        R"(  {"customers": %d, "records": %d, "truncated": %s, "end_to_end": %s, "hub_rss_growth_bytes": %d, "rss_peak_bytes": %d, "state_customers": %d, "bytes_per_customer": %.1f}%s)"
        "\n",
        c.customers, c.records, c.truncated ? "true" : "false", RateJson(c.hub),
        c.hub_rss_growth_bytes, c.rss_peak_bytes, c.state.customers,
        c.state.BytesPerCustomer(), i + 1 < cells.size() ? "," : "");
  }
  absl::StrAppend(&out, "]}\n");
  return out;
}

}  // namespace custhub::bench
