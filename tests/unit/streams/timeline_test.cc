// The timeline as the processor writes it (one windowed log per customer,
// appended to by each batch) and as the API reads it back: the newest
// entries, newest first; earlier versions' values migrated; and the
// retention of stored triggers.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "custhub/v1/trigger.pb.h"
#include "src/api/lookup.h"
#include "src/common/time.h"
#include "tests/common/temp_dir.h"
#include "tests/unit/streams/harness.h"

using namespace custhub;
using testing::Harness;
using testing::Rec;
using testing::TempDir;

namespace {

std::string Order(const std::string& id, const std::string& at) {
  return absl::StrCat(
      R"({"occurredAt":")", at,
      R"(","identifiers":{"emails":["ann@example.com"]},"order":{"orderId":")",
      id, R"(","total":{"minor":"100","currency":"USD"},"itemCount":1,)",
      R"("updatedAt":")", at, R"("}})");
}

}  // namespace

TEST_CASE("timeline entries appended per batch read back newest first",
          "[streams][timeline]") {
  TempDir dir;
  Harness h(dir.path);
  // Batches whose event times interleave: each appends its entries in fold
  // order, so the log is not in time order.
  const std::vector<std::vector<int>> days = {
      {3, 9, 1, 5}, {2, 8}, {4}, {7, 6, 10}};
  int n = 0;
  for (const auto& batch : days) {
    std::vector<Rec> recs;
    for (int day : batch) {
      std::string id = absl::StrCat("o", ++n);
      recs.push_back({"orders",
                      Order(id, absl::StrFormat("2026-01-%02dT10:00:00Z", day)),
                      id});
    }
    h.Feed(recs, 100);
  }
  std::string customer = h.Customer("ann@example.com").profile().customer_id();
  for (size_t limit = 1; limit <= 12; ++limit) {
    auto entries = api::RecentTimeline(h.store(), customer, limit);
    REQUIRE(entries.ok());
    INFO("limit " << limit);
    REQUIRE(entries->size() == std::min<size_t>(limit, 10));
    for (size_t i = 0; i < entries->size(); ++i) {
      // Days 10, 9, 8, ... down.
      CHECK((*entries)[i].at_micros() ==
            *ParseRfc3339(
                absl::StrFormat("2026-01-%02dT10:00:00Z", 10 - int(i))));
    }
  }
}

TEST_CASE("timeline entries older than the window behind the newest go",
          "[streams][timeline]") {
  TempDir dir;
  Harness h(dir.path);  // 30 days kept (the default)
  // One order every 5 hours from January 1st to April 10th, a batch each.
  const Micros start = *ParseRfc3339("2026-01-01T00:00:00Z");
  const Micros step = 5 * 3600 * kMicrosPerSecond;
  const Micros last = *ParseRfc3339("2026-04-10T00:00:00Z");
  int n = 0;
  for (Micros at = start; at <= last; at += step) {
    std::string id = absl::StrCat("o", ++n);
    h.Feed({{"orders", Order(id, FormatRfc3339(at)), id}}, 1);
  }
  Micros newest = start + (n - 1) * step;
  std::string customer = h.Customer("ann@example.com").profile().customer_id();
  auto entries = api::RecentTimeline(h.store(), customer, 500);
  REQUIRE(entries.ok());
  const Micros window = 30 * kMicrosPerDay;
  // Everything inside the window is there, newest first ...
  int inside = 0;
  for (Micros at = newest; at >= newest - window; at -= step) ++inside;
  REQUIRE(entries->size() == static_cast<size_t>(inside));
  for (int i = 0; i < inside; ++i) {
    CHECK((*entries)[i].at_micros() == newest - i * step);
  }
  // ... and nothing older, also once compaction has rewritten the log.
  REQUIRE(h.store().CompactAll().ok());
  auto compacted = api::RecentTimeline(h.store(), customer, 500);
  REQUIRE(compacted.ok());
  CHECK(compacted->size() == static_cast<size_t>(inside));
  int values = 0;
  REQUIRE(h.store()
              .ForEach(store::Cf::kTimeline, "",
                       [&](absl::string_view, absl::string_view) {
                         ++values;
                         return true;
                       })
              .ok());
  CHECK(values == 1);  // one record for the customer
}

TEST_CASE(
    "a customer merged and then renamed in one batch keeps every timeline "
    "entry",
    "[streams][timeline]") {
  auto order = [](const std::string& id, const std::string& emails,
                  const std::string& at) {
    return absl::StrCat(R"({"occurredAt":")", at,
                        R"(","identifiers":{"emails":[)", emails,
                        R"(]},"order":{"orderId":")", id,
                        R"(","total":{"minor":"100","currency":"USD"},)",
                        R"("itemCount":1,"updatedAt":")", at, R"("}})");
  };
  TempDir dir;
  Harness h(dir.path);
  // Batch 1: two customers, each with a stored timeline entry.
  h.Feed({{"orders", order("a1", R"("a@example.com")", "2026-01-10T10:00:00Z"),
           "e1"},
          {"orders", order("b1", R"("b@example.com")", "2026-01-05T10:00:00Z"),
           "e2"}},
         100);
  // Batch 2: an order naming both merges them; then an earlier order naming
  // a third address first moves the survivor to that address's id.
  h.Feed({{"orders",
           order("m1", R"("a@example.com","b@example.com")",
                 "2026-01-20T10:00:00Z"),
           "e3"},
          {"orders",
           order("c1", R"("c@example.com","b@example.com")",
                 "2026-01-01T10:00:00Z"),
           "e4"}},
         100);
  REQUIRE(h.processor().stats().merges == 1);
  REQUIRE(h.processor().stats().renames == 1);
  REQUIRE(h.Customers() == 1);
  std::string id = h.Customer("a@example.com").profile().customer_id();
  CHECK(id == h.Customer("c@example.com").profile().customer_id());
  auto entries = api::RecentTimeline(h.store(), id, 10);
  REQUIRE(entries.ok());
  std::vector<std::string> orders;
  for (const auto& e : *entries) {
    orders.push_back(e.summary().substr(0, e.summary().find(':')));
  }
  CHECK(orders == std::vector<std::string>{"order m1", "order a1", "order b1",
                                           "order c1"});
  // Nothing is left under any other id.
  int values = 0;
  REQUIRE(h.store()
              .ForEach(store::Cf::kTimeline, "",
                       [&](absl::string_view k, absl::string_view) {
                         CHECK(k.substr(0, id.size()) == id);
                         ++values;
                         return true;
                       })
              .ok());
  CHECK(values == 1);
}

TEST_CASE("earlier versions' timeline values become one log per customer",
          "[streams][timeline]") {
  TempDir dir;
  const Micros t0 = *ParseRfc3339("2026-03-01T00:00:00Z");
  auto legacy_key = [](const std::string& id, Micros at, uint64_t hash) {
    return absl::StrCat(id, std::string(1, '\0'),
                        store::EncodeBigEndian64(static_cast<uint64_t>(at)),
                        store::EncodeBigEndian64(hash));
  };
  auto entry = [](Micros at, const std::string& summary) {
    v1::TimelineEntry e;
    e.set_at_micros(at);
    e.set_event_id("e-" + summary);
    e.set_summary(summary);
    return e;
  };
  {
    auto st = store::StateStore::Open({.path = dir.path, .sync = false});
    REQUIRE(st.ok());
    store::StateBatch b;
    // A lone entry, a pack of two, another customer's, and a damaged value.
    b.Put(store::Cf::kTimeline, legacy_key("cus_a", t0, 1),
          entry(t0, "first").SerializeAsString());
    v1::TimelinePack pack;
    *pack.add_entries() = entry(t0 + 2, "third");
    *pack.add_entries() = entry(t0 + 1, "second");
    b.Put(store::Cf::kTimeline, legacy_key("cus_a", t0 + 2, 2),
          std::string(1, '\0') + pack.SerializeAsString());
    b.Put(store::Cf::kTimeline, legacy_key("cus_b", t0, 3),
          entry(t0, "b's").SerializeAsString());
    b.Put(store::Cf::kTimeline, legacy_key("cus_b", t0 + 5, 4),
          std::string("\0\xff\xff", 3));
    REQUIRE((*st)->Write(b).ok());
  }
  Harness h(dir.path);  // Init migrates
  auto a = api::RecentTimeline(h.store(), "cus_a", 10);
  REQUIRE(a.ok());
  std::vector<std::string> summaries;
  for (const auto& e : *a) summaries.push_back(e.summary());
  CHECK(summaries == std::vector<std::string>{"third", "second", "first"});
  CHECK(a->front().at_micros() == t0 + 2);
  CHECK(a->front().event_id() == "e-third");  // kept from before
  auto b = api::RecentTimeline(h.store(), "cus_b", 10);
  REQUIRE(b.ok());
  REQUIRE(b->size() == 1);
  CHECK(b->front().summary() == "b's");
  std::vector<std::string> keys;
  REQUIRE(h.store()
              .ForEach(store::Cf::kTimeline, "",
                       [&](absl::string_view k, absl::string_view) {
                         keys.emplace_back(k);
                         return true;
                       })
              .ok());
  CHECK(keys == std::vector<std::string>{std::string("cus_a\0", 6),
                                         std::string("cus_b\0", 6)});
}

TEST_CASE("stored triggers older than the trigger retention go at compaction",
          "[streams][timeline]") {
  auto order = [](const std::string& email, const std::string& id,
                  const std::string& at) {
    return absl::StrCat(R"({"occurredAt":")", at,
                        R"(","identifiers":{"emails":[")", email,
                        R"("]},"order":{"orderId":")", id,
                        R"(","total":{"minor":"100","currency":"USD"},)",
                        R"("itemCount":1,"updatedAt":")", at, R"("}})");
  };
  auto email = [](const std::string& address, const std::string& kind,
                  const std::string& at) {
    return absl::StrCat(R"({"occurredAt":")", at,
                        R"(","identifiers":{"emails":[")", address,
                        R"("]},"email":{"kind":")", kind, R"("}})");
  };
  // first_purchase for ann (Jan 5), deliverability_alert for bob (Jan 6),
  // then both input partitions move to March 1, where cy's first_purchase
  // fires.
  const std::vector<Rec> recs = {
      {"orders", order("ann@example.com", "1", "2026-01-05T10:00:00Z"), "o1"},
      {"email", email("bob@example.com", "BOUNCED", "2026-01-06T10:00:00Z"),
       "m1"},
      {"orders", order("cy@example.com", "2", "2026-03-01T10:00:00Z"), "o2"},
      {"email", email("cy@example.com", "OPENED", "2026-03-01T11:00:00Z"),
       "m2"}};
  auto stored_kinds = [](store::StateStore& store) {
    std::multiset<std::string> kinds;
    REQUIRE(store.Flush().ok());
    REQUIRE(store.CompactAll().ok());
    REQUIRE(store
                .ForEach(store::Cf::kTriggers, "",
                         [&](absl::string_view, absl::string_view v) {
                           v1::Trigger t;
                           REQUIRE(t.ParseFromArray(
                               v.data(), static_cast<int>(v.size())));
                           kinds.insert(absl::StrCat(t.kind(), " ",
                                                     t.fired_at().seconds()));
                           return true;
                         })
                .ok());
    return kinds;
  };
  const std::string ann = absl::StrCat(
      "first_purchase ", *ParseRfc3339("2026-01-05T10:00:00Z") / 1000000);
  const std::string bob = absl::StrCat(
      "deliverability_alert ", *ParseRfc3339("2026-01-06T10:00:00Z") / 1000000);
  const std::string cy = absl::StrCat(
      "first_purchase ", *ParseRfc3339("2026-03-01T10:00:00Z") / 1000000);
  // The stored triggers after feeding `recs` with the given retention.
  auto stored_with = [&](Micros retention) {
    TempDir dir;
    streams::ProcessorOptions o;
    o.trigger_retention = retention;
    Harness h(dir.path, o);
    h.Feed(recs, 100);
    return stored_kinds(h.store());
  };
  SECTION("30 days kept: January's triggers go, March's stays") {
    auto kinds = stored_with(30 * kMicrosPerDay);
    CHECK(kinds.count(cy) == 1);
    CHECK(kinds.count(ann) == 0);
    CHECK(kinds.count(bob) == 0);
    // Whatever else fired (ann's churn-risk timer) is within the 30 days.
    const int64_t watermark =
        (*ParseRfc3339("2026-03-01T10:00:00Z") - 30 * kMicrosPerDay) / 1000000;
    for (const auto& k : kinds) {
      INFO(k);
      CHECK(std::stoll(k.substr(k.find(' ') + 1)) >= watermark);
    }
  }
  SECTION("0 keeps them all") {
    auto kinds = stored_with(0);
    CHECK(kinds.count(ann) == 1);
    CHECK(kinds.count(bob) == 1);
    CHECK(kinds.count(cy) == 1);
  }
}
