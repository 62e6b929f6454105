// `custhub bench` as users run it: a small run must finish quickly, write
// its figures as JSON, and show the hub consuming every record it produced.
#include <simdjson.h>

#include <catch2/catch.hpp>

#include "tests/integration/harness.h"
#include "tests/integration/subprocess.h"

using namespace custhub::testing;

namespace {

const std::string kBin = CUSTHUB_BINARY;

double Number(simdjson::dom::element doc, const char* pointer) {
  simdjson::dom::element e;
  REQUIRE(doc.at_pointer(pointer).get(e) == simdjson::SUCCESS);
  double d = 0;
  if (e.is_int64()) return static_cast<double>(int64_t(e));
  REQUIRE(e.get_double().get(d) == simdjson::SUCCESS);
  return d;
}

}  // namespace

TEST_CASE("bench measures every rate and the hub consumes all it produced",
          "[integration][bench]") {
  TempDir dir;
  std::string json_path = dir.path + "/bench.json";
  CommandResult r =
      RunCommand({kBin, "bench", "--records", "20000", "--customers", "5000",
                  "--skip-latency", "--json", json_path},
                 120);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("custhub end-to-end") != std::string::npos);
  CHECK(r.out.find("ratio c/a") != std::string::npos);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.load(json_path).get(doc) == simdjson::SUCCESS);

  CHECK(Number(doc, "/records_produced") == 20000);
  CHECK(Number(doc, "/broker/truncated_partitions") == 0);
  CHECK(Number(doc, "/broker/records") == 20000);
  // The hub consumed exactly what was produced.
  CHECK(Number(doc, "/end_to_end/records") == 20000);
  CHECK(Number(doc, "/end_to_end/events") > 20000);  // SendGrid arrays
  for (const char* rate :
       {"/raw_consume/records_per_s", "/raw_rocksdb/records_per_s",
        "/end_to_end/records_per_s", "/end_to_end/events_per_s",
        "/engine/records_per_s", "/engine/events_per_s",
        "/ratio_end_to_end_over_raw_consume",
        "/ratio_end_to_end_over_raw_rocksdb", "/rss_peak_bytes",
        "/hub_rss_peak_bytes", "/broker_rss_peak_bytes",
        "/state/bytes_per_customer", "/state/compacted_bytes_per_customer"}) {
    INFO(rate);
    CHECK(Number(doc, rate) > 0);
  }
  // The broker runs in a process of its own: the bench process's peak is
  // the hub's (and the raw runs'), not the broker's.
  CHECK(Number(doc, "/hub_rss_peak_bytes") <= Number(doc, "/rss_peak_bytes"));
  // A full compaction drops expired seen ids and delivered outbox entries:
  // it never grows the state.
  CHECK(Number(doc, "/state/compacted_bytes") <=
        Number(doc, "/state/disk_bytes"));
  CHECK(Number(doc, "/state/compacted_customers") ==
        Number(doc, "/state/customers"));
  // The engine alone folds the same events as the hub.
  CHECK(Number(doc, "/engine/events") == Number(doc, "/end_to_end/events"));
  // (g) replays the same records into the same state.
  CHECK(Number(doc, "/replay/records") == 20000);
  CHECK(Number(doc, "/replay/events") == Number(doc, "/end_to_end/events"));
  CHECK(Number(doc, "/replay/events_per_s") > 0);
  bool same = false;
  REQUIRE(doc["replay_same_state"].get(same) == simdjson::SUCCESS);
  CHECK(same);
  // 20,000 records never fill the input merge's 200,000: nothing is
  // released out of order for want of room.
  CHECK(Number(doc, "/merge_escapes/forced_live") == 0);
  CHECK(Number(doc, "/merge_escapes/forced_replay") == 0);
  CHECK(Number(doc, "/merge_escapes/silent_live") >= 0);
  simdjson::dom::element latency;
  REQUIRE(doc["latency"].get(latency) == simdjson::SUCCESS);
  CHECK(latency.is_null());
}

TEST_CASE("bench's latency phase reports every record, sent before confirmed",
          "[integration][bench]") {
  TempDir dir;
  std::string json_path = dir.path + "/bench.json";
  // 500 records/s for 2 s: the phase produces 1,000 of the 2,000 records
  // again, paced, and waits for every output of theirs to be confirmed.
  CommandResult r = RunCommand(
      {kBin, "bench", "--records", "2000", "--customers", "500",
       "--latency-rate", "500", "--latency-seconds", "2", "--json", json_path},
      120);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.load(json_path).get(doc) == simdjson::SUCCESS);
  CHECK(Number(doc, "/latency/samples") == 1000);
  CHECK(Number(doc, "/latency/p50_ms") > 0);
  // Each record's outputs are handed to the producer before the broker
  // confirms them, so every percentile of the first is at most the second's.
  CHECK(Number(doc, "/latency/sent_p50_ms") <= Number(doc, "/latency/p50_ms"));
  CHECK(Number(doc, "/latency/sent_p99_ms") <= Number(doc, "/latency/p99_ms"));
  CHECK(Number(doc, "/latency/p99_ms") <= Number(doc, "/latency/max_ms"));
}

TEST_CASE("bench refuses a bad flag with exit code 2", "[integration][bench]") {
  CommandResult r = RunCommand({kBin, "bench", "--records", "5"}, 30);
  CHECK(r.exit_code == 2);
}
