// The input merge (streams/merge.h): one fold order from the partitions'
// contents, whatever the fetches deliver when.
#include "streams/merge.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

using custhub::kMicrosPerSecond;
using custhub::Micros;
using custhub::streams::InputMerge;
using custhub::streams::MergeOptions;
using custhub::streams::RepeatReport;

namespace {

struct Rec {
  std::string t;
  int32_t p = 0;
  int64_t ts = 0;
  int64_t offset = 0;
  absl::string_view topic() const { return t; }
  int32_t partition() const { return p; }
  int64_t timestamp_ms() const { return ts; }
  std::string Name() const { return absl::StrCat(t, "/", p, "@", offset); }
};

using Parts = std::vector<std::pair<std::string, int32_t>>;

std::vector<std::string> Names(const std::vector<Rec>& recs) {
  std::vector<std::string> out;
  for (const auto& r : recs) out.push_back(r.Name());
  return out;
}

// Three partitions whose timestamps interleave, with a tie across topics
// and a timestamp that goes back inside one partition.
std::vector<std::vector<Rec>> Logs() {
  std::vector<std::vector<Rec>> logs(3);
  std::mt19937_64 rng(7);
  const Parts parts = {{"orders", 0}, {"orders", 1}, {"support", 0}};
  for (size_t i = 0; i < logs.size(); ++i) {
    int64_t ts = 1000;
    for (int64_t off = 0; off < 200; ++off) {
      ts += static_cast<int64_t>(rng() % 5);  // ties are common
      if (off == 50) ts -= 20;                // producer clocks differ
      logs[i].push_back({parts[i].first, parts[i].second, ts, off});
    }
  }
  return logs;
}

// Delivers the logs in random chunks, partition by random partition, as
// fetches do, taking a random number of records in between.
std::vector<Rec> MergeWithFetches(const std::vector<std::vector<Rec>>& logs,
                                  uint64_t seed) {
  std::mt19937_64 rng(seed);
  InputMerge<Rec> merge;
  Parts parts;
  for (const auto& log : logs) parts.emplace_back(log[0].t, log[0].p);
  merge.Reset(parts);
  std::vector<size_t> next(logs.size(), 0);
  std::vector<Rec> out;
  Micros now = 1;  // never long enough to give up on a partition
  while (true) {
    std::vector<size_t> open;
    for (size_t i = 0; i < logs.size(); ++i) {
      if (next[i] < logs[i].size()) open.push_back(i);
    }
    if (open.empty()) break;
    size_t i = open[rng() % open.size()];
    size_t n = 1 + rng() % 40;
    for (; n > 0 && next[i] < logs[i].size(); --n) {
      merge.Add(logs[i][next[i]++]);
    }
    if (next[i] == logs[i].size()) merge.MarkEnd(logs[i][0].t, logs[i][0].p);
    merge.Take(1 + rng() % 60, now, &out);
  }
  merge.Take(1'000'000, now, &out);
  REQUIRE(merge.buffered() == 0);
  return out;
}

}  // namespace

TEST_CASE("any fetch interleaving folds the same order", "[merge]") {
  auto logs = Logs();
  std::vector<Rec> first = MergeWithFetches(logs, 1);
  REQUIRE(first.size() == 600);
  // Within a partition the log order holds; across, the timestamps rule.
  for (size_t i = 1; i < first.size(); ++i) {
    const Rec& a = first[i - 1];
    const Rec& b = first[i];
    if (a.t == b.t && a.p == b.p) CHECK(a.offset + 1 == b.offset);
  }
  for (uint64_t seed = 2; seed < 30; ++seed) {
    INFO("seed " << seed);
    CHECK(Names(MergeWithFetches(logs, seed)) == Names(first));
  }
}

TEST_CASE("ties go by topic, then partition", "[merge]") {
  InputMerge<Rec> merge;
  merge.Reset({{"support", 0}, {"orders", 1}, {"orders", 0}});
  merge.Add({"support", 0, 5, 0});
  merge.Add({"orders", 1, 5, 0});
  merge.Add({"orders", 0, 5, 0});
  for (const auto& [t, p] : Parts{{"support", 0}, {"orders", 1}, {"orders", 0}})
    merge.MarkEnd(t, p);
  std::vector<Rec> out;
  CHECK(merge.Take(10, 1, &out) == 3);
  CHECK(Names(out) ==
        std::vector<std::string>{"orders/0@0", "orders/1@0", "support/0@0"});
}

TEST_CASE("a partition that may hold earlier records holds the others back",
          "[merge]") {
  InputMerge<Rec> merge({.max_wait = 10 * kMicrosPerSecond});
  merge.Reset({{"orders", 0}, {"support", 0}});
  merge.Add({"orders", 0, 100, 0});
  std::vector<Rec> out;
  CHECK(merge.Take(10, 1, &out) == 0);  // support has shown nothing yet
  CHECK(merge.waiting());
  merge.Add({"support", 0, 50, 0});
  CHECK(merge.Take(10, 2, &out) == 1);  // support@50 first...
  CHECK(out.back().t == "support");
  // ...then support is unknown again: more may be on the broker.
  CHECK(merge.Take(10, 3, &out) == 0);
  merge.MarkEnd("support", 0);
  CHECK(merge.Take(10, 4, &out) == 1);
  CHECK(out.back().t == "orders");
  CHECK_FALSE(merge.waiting());
  CHECK(merge.stats().waits_expired == 0);
}

TEST_CASE("a silent partition is given up on after max_wait", "[merge]") {
  InputMerge<Rec> merge({.max_wait = kMicrosPerSecond});
  merge.Reset({{"orders", 0}, {"support", 0}});
  merge.Add({"orders", 0, 100, 0});
  std::vector<Rec> out;
  CHECK(merge.Take(10, 1'000'000, &out) == 0);
  CHECK(merge.Take(10, 1'000'000 + kMicrosPerSecond - 1, &out) == 0);
  CHECK(merge.Take(10, 1'000'000 + kMicrosPerSecond, &out) == 1);
  CHECK(merge.stats().waits_expired == 1);
  // Given up on until it delivers again: nothing waits for it meanwhile.
  merge.Add({"orders", 0, 101, 1});
  CHECK(merge.Take(10, 3'000'000, &out) == 1);
  CHECK(merge.stats().waits_expired == 1);
}

TEST_CASE("a full buffer releases the earliest anyway", "[merge]") {
  InputMerge<Rec> merge(
      {.max_wait = 100 * kMicrosPerSecond, .max_buffered = 3});
  merge.Reset({{"orders", 0}, {"support", 0}});
  for (int64_t i = 0; i < 5; ++i) merge.Add({"orders", 0, 10 + i, i});
  std::vector<Rec> out;
  CHECK(merge.Take(10, 1, &out) == 3);  // down to the bound, no further
  CHECK(merge.buffered() == 2);
  CHECK(merge.stats().forced == 3);
  CHECK(out.front().offset == 0);
}

namespace {

// Delivers the logs as MergeWithFetches does, but a fetch picks the last
// partition only one time in twenty (it lags behind the others), and
// never a partition the merge's Throttle() has paused, as a consumer
// would not. The most records the merge held at once goes to `peak`.
std::vector<Rec> MergeLagging(const std::vector<std::vector<Rec>>& logs,
                              MergeOptions options, size_t* peak,
                              uint64_t* pauses) {
  std::mt19937_64 rng(11);
  InputMerge<Rec> merge(options);
  Parts parts;
  for (const auto& log : logs) parts.emplace_back(log[0].t, log[0].p);
  merge.Reset(parts);
  std::vector<size_t> next(logs.size(), 0);
  std::vector<bool> paused(logs.size(), false);
  std::vector<Rec> out;
  *peak = 0;
  for (size_t polls = 0; polls < 100'000; ++polls) {
    std::vector<size_t> open, left;
    for (size_t i = 0; i < logs.size(); ++i) {
      if (next[i] < logs[i].size()) left.push_back(i);
      if (next[i] < logs[i].size() && !paused[i]) open.push_back(i);
    }
    if (left.empty()) break;
    // Everything left paused: this poll brings nothing.
    if (!open.empty()) {
      size_t i = open[rng() % open.size()];
      if (i + 1 == logs.size() && open.size() > 1 && rng() % 20 != 0) {
        i = open[rng() % (open.size() - 1)];
      }
      for (size_t n = 10; n > 0 && next[i] < logs[i].size(); --n) {
        merge.Add(logs[i][next[i]++]);
      }
      if (next[i] == logs[i].size()) {
        merge.MarkEnd(logs[i][0].t, logs[i][0].p);
      }
    }
    *peak = std::max(*peak, merge.buffered());
    merge.Take(5, 1, &out);
    std::vector<std::pair<std::string, int32_t>> pause, resume;
    merge.Throttle(&pause, &resume, [&](const auto& tp, const Rec& newest) {
      for (const auto& log : logs) {
        if (log[0].t == tp.first && log[0].p == tp.second) {
          return newest.offset + 1 < static_cast<int64_t>(log.size());
        }
      }
      return false;
    });
    for (size_t k = 0; k < parts.size(); ++k) {
      for (const auto& tp : pause) paused[k] = paused[k] || tp == parts[k];
      for (const auto& tp : resume) paused[k] = paused[k] && tp != parts[k];
    }
  }
  merge.Take(1'000'000, 1, &out);
  REQUIRE(merge.buffered() == 0);
  CHECK(merge.stats().forced == 0);
  *pauses = merge.stats().pauses;
  return out;
}

}  // namespace

TEST_CASE(
    "pausing partitions that run ahead bounds what the merge holds, "
    "in the same order",
    "[merge]") {
  auto logs = Logs();
  std::vector<Rec> all;
  for (const auto& log : logs) all.insert(all.end(), log.begin(), log.end());
  auto want = Names(MergeWithFetches(logs, 1));
  size_t peak_free = 0, peak_throttled = 0;
  uint64_t pauses_free = 0, pauses_throttled = 0;
  auto free = MergeLagging(logs, {.pause_at = 0}, &peak_free, &pauses_free);
  auto throttled =
      MergeLagging(logs, {.pause_at = 60}, &peak_throttled, &pauses_throttled);
  CHECK(Names(free) == want);
  CHECK(Names(throttled) == want);
  CHECK(pauses_free == 0);
  CHECK(pauses_throttled > 0);
  // Unthrottled, the lagging partition leaves most of the others held.
  // Throttled, past the bound each partition takes at most its share (20)
  // and one fetch (10) before it is paused.
  INFO("peaks " << peak_free << " / " << peak_throttled);
  CHECK(peak_free > 200);
  CHECK(peak_throttled <= 60 + 3 * (20 + 10));
  CHECK(peak_throttled * 2 < peak_free);
}

TEST_CASE("a recurring escape is reported at once, then once a minute",
          "[merge]") {
  constexpr Micros kMinute = 60 * kMicrosPerSecond;
  RepeatReport report(kMinute);
  Micros t = 1000 * kMicrosPerSecond;
  CHECK(report.Due(0, t) == 0);  // nothing yet
  CHECK(report.Due(5, t) == 5);  // the first, at once
  CHECK(report.Due(9, t + kMinute / 2) == 0);
  CHECK(report.Due(12, t + kMinute - 1) == 0);
  CHECK(report.Due(12, t + kMinute) == 7);      // those since, a minute on
  CHECK(report.Due(12, t + 5 * kMinute) == 0);  // no new ones
  CHECK(report.Due(13, t + 5 * kMinute) == 1);  // quiet long enough
}
