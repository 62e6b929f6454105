// Runs every tests/data/identity/*.scenario (format in its README) against
// the batch processor: in file order, as one batch, and shuffled.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "src/publish/outputs.h"
#include "tests/common/temp_dir.h"
#include "tests/unit/streams/harness.h"

using namespace custhub;
using testing::Harness;
using testing::Rec;
using testing::TempDir;

namespace {

struct Scenario {
  std::vector<Rec> events;
  std::vector<std::vector<std::string>> expects;  // split on spaces, max 4
};

Scenario Load(const std::filesystem::path& path) {
  Scenario sc;
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts =
        absl::StrSplit(line, absl::MaxSplits(' ', 1));
    REQUIRE(parts.size() == 2);
    if (parts[0] == "event") {
      std::vector<std::string> tv =
          absl::StrSplit(parts[1], absl::MaxSplits(' ', 1));
      sc.events.push_back({tv[0], tv[1], absl::StrCat("ev-", ++n)});
    } else {
      REQUIRE(parts[0] == "expect");
      std::vector<std::string> e =
          absl::StrSplit(parts[1], absl::MaxSplits(' ', 3));
      sc.expects.push_back(e);
    }
  }
  return sc;
}

// The minified JSON value at a dotted path of the profile, or "<absent>".
std::string ValueAt(const v1::CustomerProfile& p, const std::string& path) {
  std::string json = publish::ProfileJson(p, false);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  simdjson::dom::element at = doc;
  for (const auto& part : absl::StrSplit(path, '.')) {
    simdjson::dom::element next;
    if (at[std::string(part)].get(next) != simdjson::SUCCESS) return "<absent>";
    at = next;
  }
  return simdjson::minify(at);
}

std::string IdOf(Harness& h, const std::string& key) {
  auto s = h.ByKey(key);
  return s ? s->profile().customer_id() : "<none:" + key + ">";
}

void Check(Harness& h, const Scenario& sc, bool in_file_order) {
  for (const auto& e : sc.expects) {
    INFO(absl::StrJoin(e, " "));
    if (e[0] == "customers") {
      CHECK(std::to_string(h.Customers()) == e[1]);
    } else if (e[0] == "merges") {
      if (in_file_order) {
        CHECK(std::to_string(h.processor().stats().merges) == e[1]);
      }
    } else if (e[0] == "refused") {
      if (in_file_order) {
        CHECK(std::to_string(h.processor().stats().refused_links) == e[1]);
      }
    } else if (e[0] == "same" || e[0] == "different") {
      REQUIRE(e.size() == 3);
      bool same = IdOf(h, e[1]) == IdOf(h, e[2]);
      CHECK(same == (e[0] == "same"));
    } else if (e[0] == "profile") {
      REQUIRE(e.size() == 4);
      auto s = h.ByKey(e[1]);
      REQUIRE(s.has_value());
      CHECK(ValueAt(s->profile(), e[2]) == e[3]);
    } else {
      FAIL("unknown expectation " << e[0]);
    }
  }
}

// A shuffle that keeps each topic's records in order, as partitions do.
std::vector<Rec> Interleave(const std::vector<Rec>& events, std::mt19937& rng) {
  std::map<std::string, std::vector<Rec>> by_topic;
  for (const auto& r : events) by_topic[r.topic].push_back(r);
  std::vector<std::string> picks;
  for (const auto& [topic, recs] : by_topic) {
    picks.insert(picks.end(), recs.size(), topic);
  }
  std::shuffle(picks.begin(), picks.end(), rng);
  std::map<std::string, size_t> next;
  std::vector<Rec> out;
  for (const auto& t : picks) out.push_back(by_topic[t][next[t]++]);
  return out;
}

}  // namespace

TEST_CASE("identity scenarios resolve the same customers in any order",
          "[streams][identity]") {
  std::filesystem::path dir = std::string(CUSTHUB_TEST_DATA) + "/identity";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".scenario") continue;
    ++files;
    Scenario sc = Load(entry.path());
    SECTION(entry.path().filename().string()) {
      std::string digest, dump;
      {
        TempDir d;
        Harness h(d.path);
        h.Feed(sc.events, 1);
        Check(h, sc, true);
        digest = h.Digest();
        dump = h.Dump();
      }
      {
        TempDir d;
        Harness h(d.path);
        h.Feed(sc.events, sc.events.size());
        Check(h, sc, true);
        CHECK(h.Digest() == digest);
      }
      std::mt19937 rng(1234);
      for (int round = 0; round < 20; ++round) {
        TempDir d;
        Harness h(d.path);
        auto shuffled = Interleave(sc.events, rng);
        h.Feed(shuffled, 1 + rng() % 4);
        INFO("shuffle " << round);
        Check(h, sc, false);
        if (h.Digest() != digest) {
          std::ofstream("/tmp/custhub_dump_a.txt") << dump;
          std::ofstream("/tmp/custhub_dump_b.txt") << h.Dump();
          CHECK(h.Dump() == dump);
        }
      }
    }
  }
  CHECK(files >= 6);
}
