// The HTTP API with real requests: `custhub run --http` as a process over
// the embedded broker and a synthetic store (profiles, timeline, readiness,
// exact metrics), and the server in-process over a state dir written by the
// test (timeline and trigger bounds, errors, readiness before catch-up).
#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "custhub/v1/state.pb.h"
#include "custhub/v1/trigger.pb.h"
#include "simdjson.h"
#include "src/api/inspector_page.h"
#include "src/api/server.h"
#include "src/common/hash.h"
#include "src/store/state_store.h"
#include "src/store/windowed_log.h"
#include "tests/integration/harness.h"
#include "tests/integration/subprocess.h"

using namespace custhub;
using namespace custhub::testing;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kBin = CUSTHUB_BINARY;

struct Answer {
  int status = 0;
  std::string body;
  std::string type;
};

Answer Get(httplib::Client& c, const std::string& path) {
  auto r = c.Get(path.c_str());
  if (!r) return {};
  return {r->status, r->body, r->get_header_value("Content-Type")};
}

// One sample line of Prometheus text: name, label text, value.
struct Sample {
  std::string name, labels;
  double value = 0;
};

// Parses the exposition format strictly: every line is a HELP or TYPE
// comment or `name{labels} value`; anything else fails the test.
std::vector<Sample> ParsePrometheus(const std::string& text) {
  static const std::regex kSample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")"
      R"((?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? )"
      R"(([-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf|NaN))$)");
  static const std::regex kComment(
      R"(^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$)");
  std::vector<Sample> out;
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::string l(line);
    std::smatch m;
    if (absl::StartsWith(l, "#")) {
      INFO(l);
      CHECK(std::regex_match(l, kComment));
      continue;
    }
    INFO(l);
    REQUIRE(std::regex_match(l, m, kSample));
    out.push_back({m[1], m[2], std::stod(m[3])});
  }
  return out;
}

double Sum(const std::vector<Sample>& samples, const std::string& name) {
  double total = 0;
  for (const auto& s : samples) {
    if (s.name == name) total += s.value;
  }
  return total;
}

bool Has(const std::vector<Sample>& samples, const std::string& name) {
  for (const auto& s : samples) {
    if (s.name == name) return true;
  }
  return false;
}

// Polls until `path` answers `status` (deadline `timeout_s`).
bool WaitFor(httplib::Client& c, const std::string& path, int status,
             int timeout_s = 30) {
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  while (Clock::now() < deadline) {
    if (Get(c, path).status == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::vector<int64_t> TimelineTimes(simdjson::dom::parser& parser,
                                   const std::string& body) {
  std::vector<int64_t> out;
  simdjson::dom::element doc = parser.parse(body);
  for (simdjson::dom::element e : doc["entries"].get_array()) {
    out.push_back(std::stoll(std::string(e["atMicros"].get_string().value())));
  }
  return out;
}

// A stored trigger's key: customer \0 time(be64) hash(be64).
std::string TriggerKey(const std::string& customer, int64_t at,
                       const std::string& id) {
  return absl::StrCat(customer, std::string(1, '\0'),
                      store::EncodeBigEndian64(static_cast<uint64_t>(at)),
                      store::EncodeBigEndian64(Hash64(id)));
}

}  // namespace

TEST_CASE(
    "custhub run --http serves profiles, timelines, readiness and exact "
    "metrics",
    "[integration][api]") {
  auto broker = StartBroker(1, 2);
  synth::SyntheticStore synth({.customers = 40, .seed = 17});
  ProduceAll(broker->bootstrap(), synth.records());
  TempDir dir;
  Child hub({kBin, "run", "--bootstrap", broker->bootstrap(), "--state-dir",
             dir.path + "/state", "--sync", "false", "--poll-timeout-ms", "50",
             "--http", "127.0.0.1:0"});
  std::string line = hub.ReadLine();
  REQUIRE(absl::StartsWith(line, "http="));
  httplib::Client c("127.0.0.1", std::stoi(line.substr(5)));
  c.set_read_timeout(10, 0);

  CHECK(Get(c, "/healthz").status == 200);
  CHECK(Get(c, "/healthz").body == "ok\n");
  REQUIRE(WaitFor(c, "/readyz", 200));

  // A shopper with orders and a phone, as the generator says.
  const synth::ExpectedCustomer* want = nullptr;
  for (const auto& [email, e] : synth.expected()) {
    if (e.orders >= 2 && !e.phone.empty()) {
      want = &e;
      break;
    }
  }
  REQUIRE(want != nullptr);
  simdjson::dom::parser parser;
  Answer by_email = Get(c, "/v1/profiles/" + want->email);
  REQUIRE(by_email.status == 200);
  CHECK(absl::StartsWith(by_email.type, "application/json"));
  simdjson::dom::element p = parser.parse(by_email.body);
  std::string id(p["customerId"].get_string().value());
  CHECK(absl::StartsWith(id, "cus_"));
  CHECK(int64_t(p["orders"]["count"]) == want->orders);
  CHECK(std::string(p["orders"]["netRevenue"]["minor"].get_string().value()) ==
        absl::StrCat(want->gross_minor - want->refunded_minor));
  CHECK(std::string(p["emails"].at(0).get_string().value()) == want->email);

  for (const std::string& key : {want->phone, id}) {
    Answer a = Get(c, "/v1/profiles/" + key);
    REQUIRE(a.status == 200);
    simdjson::dom::element other = parser.parse(a.body);
    CHECK(std::string(other["customerId"].get_string().value()) == id);
  }
  Answer unknown = Get(c, "/v1/profiles/nobody@example.com");
  CHECK(unknown.status == 404);
  simdjson::dom::element err = parser.parse(unknown.body);
  CHECK(int64_t(err["error"]["code"]) == 404);
  CHECK(Get(c, "/v1/profiles/not-an-email@").status == 400);

  // The timeline: newest first, bounded by ?limit.
  Answer tl = Get(c, "/v1/profiles/" + want->email + "/timeline");
  REQUIRE(tl.status == 200);
  auto times = TimelineTimes(parser, tl.body);
  REQUIRE(times.size() >= 2);
  CHECK(times.size() <= 50);
  for (size_t i = 1; i < times.size(); ++i) CHECK(times[i - 1] >= times[i]);
  auto two = TimelineTimes(
      parser, Get(c, "/v1/profiles/" + id + "/timeline?limit=2").body);
  CHECK(two == std::vector<int64_t>(times.begin(), times.begin() + 2));
  CHECK(Get(c, "/v1/profiles/" + id + "/timeline?limit=x").status == 400);
  Answer trig = Get(c, "/v1/profiles/" + id + "/triggers");
  CHECK(trig.status == 200);

  // Metrics: valid Prometheus text whose counters match what was produced.
  Answer metrics = Get(c, "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(absl::StartsWith(metrics.type, "text/plain; version=0.0.4"));
  auto samples = ParsePrometheus(metrics.body);
  CHECK(Sum(samples, "custhub_records_total") == synth.records().size());
  CHECK(Sum(samples, "custhub_events_total") == synth.events());
  CHECK(Sum(samples, "custhub_duplicates_total") == synth.duplicate_events());
  CHECK(Sum(samples, "custhub_dlq_total") == synth.malformed());
  CHECK(Sum(samples, "custhub_ready") == 1);
  CHECK(Sum(samples, "custhub_consume_errors_total") == 0);
  // SST bytes: 0 while everything is still in the memtables.
  CHECK(Sum(samples, "custhub_rocksdb_disk_bytes") >= 0);
  CHECK(Sum(samples, "custhub_fold_batch_seconds_count") >= 1);
  CHECK(Sum(samples, "custhub_end_to_end_lag_seconds_count") >= 1);
  // Every trigger is counted once by kind and once as fired or suppressed.
  CHECK(Sum(samples, "custhub_triggers_total") ==
        Sum(samples, "custhub_triggers_fired_total") +
            Sum(samples, "custhub_triggers_suppressed_total"));
  for (const char* name :
       {"custhub_merges_total", "custhub_outbox_in_flight",
        "custhub_rocksdb_disk_bytes", "custhub_consumer_lag_records",
        "custhub_rocksdb_write_stalls_total", "custhub_event_time_lag_seconds",
        "custhub_broker_time_lag_seconds", "custhub_triggers_total",
        "custhub_fold_batch_seconds_bucket"}) {
    INFO(name);
    CHECK(Has(samples, name));
  }
  // Shopify orders are counted under their own source and type.
  bool shopify_orders = false;
  for (const auto& s : samples) {
    if (s.name == "custhub_events_total" &&
        s.labels.find("source=\"shopify\"") != std::string::npos &&
        s.labels.find("event_type=\"orders/create\"") != std::string::npos) {
      shopify_orders = s.value > 0;
    }
  }
  CHECK(shopify_orders);

  Answer page = Get(c, "/");
  CHECK(page.status == 200);
  CHECK(absl::StartsWith(page.type, "text/html"));
  CHECK(page.body.find("customer inspector") != std::string::npos);
  CHECK(Get(c, "/v2/nothing").status == 404);
  CHECK(hub.Stop(SIGTERM) == 0);
}

TEST_CASE(
    "timeline and triggers come newest first and bounded, with readiness and "
    "errors",
    "[integration][api]") {
  TempDir dir;
  auto opened = store::StateStore::Open({.path = dir.path, .sync = false});
  REQUIRE(opened.ok());
  store::StateStore& st = **opened;
  const std::string id = "cus_inspect";
  store::StateBatch b;
  v1::CustomerState state;
  state.mutable_profile()->set_customer_id(id);
  state.mutable_profile()->add_emails("ann@example.com");
  b.Put(store::Cf::kProfiles, id, state.SerializeAsString());
  b.Put(store::Cf::kIdentifiers, "email:ann@example.com", id);
  const int64_t t0 = 1767225600000000;  // 2026-01-01T00:00:00Z
  // The timeline: a windowed log (src/store/windowed_log.h) appended to in
  // six pieces, as six batches would.
  for (int piece = 0; piece < 6; ++piece) {
    std::string items;
    for (int i = piece * 100; i < (piece + 1) * 100; ++i) {
      v1::TimelineEntry e;
      e.set_source("shopify");
      e.set_event_type("orders/create");
      e.set_summary(absl::StrCat("order ", i));
      store::AppendLogItem(&items, t0 + i * 1000000, e.SerializeAsString());
    }
    b.Merge(store::Cf::kTimeline, id + std::string(1, '\0'), items);
  }
  // A neighbour whose id extends this one's must not leak in.
  v1::TimelineEntry other;
  other.set_summary("someone else");
  std::string others;
  store::AppendLogItem(&others, t0 + 999999999, other.SerializeAsString());
  b.Merge(store::Cf::kTimeline, id + "x" + std::string(1, '\0'), others);
  const char* kinds[] = {"first_purchase", "win_back", "abandoned_cart"};
  for (int i = 0; i < 3; ++i) {
    v1::Trigger t;
    t.set_customer_id(id);
    t.set_kind(kinds[i]);
    t.mutable_fired_at()->set_seconds(t0 / 1000000 + i * 3600);
    t.set_idempotency_key(absl::StrCat("k", i));
    t.set_reason(absl::StrCat("reason ", i));
    if (i == 2) t.set_suppressed_by("open_ticket");
    b.Put(store::Cf::kTriggers, TriggerKey(id, t0 + i * 3600000000LL, t.kind()),
          t.SerializeAsString());
  }
  REQUIRE(st.Write(b).ok());

  std::atomic<bool> ready{false};
  MetricsRegistry metrics;
  auto server = api::ApiServer::Create(
      {.listen = "127.0.0.1:0"}, {&st, &metrics, [&] { return ready.load(); }});
  REQUIRE(server.ok());
  REQUIRE((*server)->Start().ok());
  httplib::Client c("127.0.0.1", (*server)->port());
  simdjson::dom::parser parser;

  CHECK(Get(c, "/readyz").status == 503);
  ready = true;
  CHECK(Get(c, "/readyz").status == 200);

  auto timeline = [&](const std::string& query) {
    return TimelineTimes(
        parser, Get(c, "/v1/profiles/ann@example.com/timeline" + query).body);
  };
  auto def = timeline("");
  REQUIRE(def.size() == 50);
  CHECK(def.front() == t0 + 599 * 1000000);
  CHECK(def.back() == t0 + 550 * 1000000);
  CHECK(timeline("?limit=3") ==
        std::vector<int64_t>{t0 + 599000000, t0 + 598000000, t0 + 597000000});
  CHECK(timeline("?limit=500").size() == 500);
  CHECK(timeline("?limit=100000").size() == 500);  // cut to the maximum
  CHECK(Get(c, "/v1/profiles/" + id + "/timeline?limit=0").status == 400);
  CHECK(Get(c, "/v1/profiles/" + id + "/timeline?limit=-1").status == 400);

  Answer trig = Get(c, "/v1/profiles/" + id + "/triggers");
  REQUIRE(trig.status == 200);
  simdjson::dom::element doc = parser.parse(trig.body);
  CHECK(std::string(doc["customerId"].get_string().value()) == id);
  simdjson::dom::array list = doc["triggers"].get_array();
  REQUIRE(list.size() == 3);
  CHECK(std::string(list.at(0)["kind"].get_string().value()) ==
        "abandoned_cart");
  CHECK(std::string(list.at(0)["suppressedBy"].get_string().value()) ==
        "open_ticket");
  CHECK(std::string(list.at(0)["firedAt"].get_string().value()) ==
        "2026-01-01T02:00:00Z");
  CHECK(std::string(list.at(2)["kind"].get_string().value()) ==
        "first_purchase");
  CHECK(std::string(list.at(2)["suppressedBy"].get_string().value()).empty());
  std::string one = Get(c, "/v1/profiles/" + id + "/triggers?limit=1").body;
  CHECK(parser.parse(one)["triggers"].get_array().size() == 1);

  // Unknown customers and paths are JSON errors.
  for (const char* path :
       {"/v1/profiles/cus_nobody", "/v1/profiles/cus_nobody/timeline",
        "/v1/profiles/nobody@example.com/triggers", "/nope"}) {
    Answer a = Get(c, path);
    INFO(path);
    CHECK(a.status == 404);
    CHECK(int64_t(parser.parse(a.body)["error"]["code"]) == 404);
  }
  // /metrics renders the registry with the store's gauges.
  auto samples = ParsePrometheus(Get(c, "/metrics").body);
  CHECK(Has(samples, "custhub_rocksdb_disk_bytes"));
  CHECK(Sum(samples, "custhub_ready") == 1);
  (*server)->Stop();
  (*server)->Stop();  // idempotent
}

TEST_CASE("the inspector page writes customer data as text only",
          "[integration][api]") {
  std::string page(api::InspectorPage());
  CHECK(page.find("innerHTML") == std::string::npos);
  CHECK(page.find("outerHTML") == std::string::npos);
  CHECK(page.find("insertAdjacentHTML") == std::string::npos);
  CHECK(page.find("document.write") == std::string::npos);
  CHECK(page.find("http://") == std::string::npos);  // no CDN
  CHECK(page.find("https://") == std::string::npos);
  CHECK(page.find("URLSearchParams(location.search).get(\"q\")") !=
        std::string::npos);
}
