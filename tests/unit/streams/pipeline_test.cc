// The pipelined commit (the next batch folds while the one before is
// written, records decoded ahead and outputs rendered on a second thread)
// against the plain one on one thread: the same records must leave the
// same bytes in every column family and the same outputs, in the same
// order, with the same sequence numbers. And outbox entries leave oldest
// first.

#include <catch2/catch.hpp>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "proto/deterministic.h"
#include "src/identity/erasure.h"
#include "src/store/state_store.h"
#include "src/synth/synthetic_store.h"
#include "streams/outbox_blob.h"
#include "streams/processor.h"
#include "tests/common/temp_dir.h"

using namespace custhub;
using streams::InputRecord;
using streams::Outbound;
using testing::TempDir;

namespace {

std::vector<InputRecord> Inputs(const std::vector<synth::SynthRecord>& recs) {
  std::vector<InputRecord> out;
  std::map<std::string, int64_t> offsets;
  for (const auto& r : recs) {
    InputRecord in;
    in.topic = r.topic;
    in.offset = offsets[r.topic]++;
    in.key = r.key;
    in.value = r.value;
    in.headers = r.headers;
    in.timestamp_ms = 1767225600000;
    out.push_back(std::move(in));
  }
  return out;
}

// Every record of every family, as "family key => value" lines.
std::string Everything(store::StateStore& store) {
  std::string out;
  for (int cf = 0; cf < store::kCfCount; ++cf) {
    auto family = static_cast<store::Cf>(cf);
    REQUIRE(store
                .ForEach(family, "",
                         [&](absl::string_view k, absl::string_view v) {
                           out += std::string(store::CfName(family)) + " " +
                                  std::string(k) + " => " + std::string(v) +
                                  "\n";
                           return true;
                         })
                .ok());
  }
  return out;
}

// Outputs as bytes, maps in key order (as the outbox writes them).
std::string Bytes(const std::vector<Outbound>& outputs) {
  std::string out;
  for (const auto& o : outputs) {
    out += std::to_string(o.seq) + ":" +
           custhub::DeterministicBytes(o.Record()) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("pipelined commits leave the same state and outputs as plain ones",
          "[streams][pipeline]") {
  synth::SynthOptions so;
  so.customers = 400;
  so.seed = 7;
  so.interleave = true;
  so.skew = 0.8;
  so.max_records = 3000;
  synth::SyntheticStream stream(so);
  std::vector<synth::SynthRecord> recs;
  while (stream.Next(1000, &recs) > 0) {
  }
  REQUIRE(recs.size() == 3000);
  std::vector<InputRecord> inputs = Inputs(recs);
  const size_t batch = 250;  // above AddAll's threshold for decoding ahead

  TempDir a, b;
  auto plain_store = *store::StateStore::Open({.path = a.path, .sync = false});
  auto piped_store = *store::StateStore::Open({.path = b.path, .sync = false});
  streams::ProcessorOptions one_thread;
  one_thread.second_thread = false;
  streams::BatchProcessor plain(plain_store.get(), one_thread);
  streams::BatchProcessor piped(piped_store.get(), {});
  REQUIRE(plain.Init().ok());
  REQUIRE(piped.Init().ok());

  std::vector<Outbound> plain_out, piped_out, out;
  std::vector<uint64_t> plain_delivered, piped_delivered;
  for (size_t i = 0; i < inputs.size(); i += batch) {
    std::vector<InputRecord> part(
        inputs.begin() + i,
        inputs.begin() + std::min(inputs.size(), i + batch));
    // Plain: one record at a time, then a synchronous commit.
    for (const auto& r : part) REQUIRE(plain.Add(r).ok());
    REQUIRE(plain.Commit(plain_delivered, &out).ok());
    plain_delivered.clear();
    for (auto& o : out) {
      plain_delivered.push_back(o.seq);
      plain_out.push_back(std::move(o));
    }
    // Pipelined: this batch folds while the one before is still written
    // (held back, so every read of it goes through the batch in flight).
    REQUIRE(piped.AddAll(part).ok());
    piped_store->HoldWrites(false);
    REQUIRE(piped.FinishCommit(&out).ok());
    piped_delivered.clear();
    for (auto& o : out) {
      piped_delivered.push_back(o.seq);
      piped_out.push_back(std::move(o));
    }
    piped_store->HoldWrites(true);
    REQUIRE(piped.StartCommit(piped_delivered).ok());
    CHECK(piped.CommitInFlight());
    // A second start before the finish is refused.
    CHECK(absl::IsFailedPrecondition(piped.StartCommit({})));
  }
  // The last batch's outputs come out of a plain Commit too, ahead of its
  // own (here: none, nothing is pending).
  piped_store->HoldWrites(false);
  REQUIRE(piped.Commit({}, &out).ok());
  for (auto& o : out) piped_out.push_back(std::move(o));
  REQUIRE(plain.Commit({}, &out).ok());
  for (auto& o : out) plain_out.push_back(std::move(o));
  CHECK_FALSE(piped.CommitInFlight());

  CHECK(piped.stats().events == plain.stats().events);
  CHECK(piped.stats().duplicates == plain.stats().duplicates);
  CHECK(piped.stats().duplicates > 0);  // the retries were seen through
  CHECK(piped.stats().dlq == plain.stats().dlq);
  CHECK(piped.stats().batches == plain.stats().batches);
  CHECK(piped_out.size() == plain_out.size());
  CHECK(Bytes(piped_out) == Bytes(plain_out));
  CHECK(*piped_store->Digest() == *plain_store->Digest());
  CHECK(Everything(*piped_store) == Everything(*plain_store));

  // The outbox entries left (the last batch's, never confirmed) hold the
  // very outputs handed back, slot by slot: rendering on two threads keeps
  // records and bytes in step.
  std::map<uint64_t, std::string> by_seq;
  for (const auto& o : piped_out) {
    by_seq[o.seq] = custhub::DeterministicBytes(o.Record());
  }
  size_t slots = 0, matching = 0;
  REQUIRE(piped_store
              ->ForEach(store::Cf::kOutbox, "",
                        [&](absl::string_view k, absl::string_view v) {
                          uint64_t seq = store::DecodeBigEndian64(k);
                          CHECK(streams::ForEachInOutboxBlob(
                              v, [&](absl::string_view record) {
                                ++slots;
                                if (by_seq[seq++] == record) ++matching;
                              }));
                          return true;
                        })
              .ok());
  CHECK(slots > 100);  // the last batch rendered on both threads
  CHECK(matching == slots);
}

TEST_CASE("outbox entries are deleted oldest first, whatever is confirmed",
          "[streams][outbox]") {
  // A restart re-sends every stored entry in order: a newer entry must not
  // be gone while an older one, holding older values of the same keys,
  // stays to be re-sent after it.
  TempDir dir;
  auto store = store::StateStore::Open({.path = dir.path, .sync = false});
  REQUIRE(store.ok());
  streams::BatchProcessor p(store->get(), {});
  REQUIRE(p.Init().ok());
  synth::SyntheticStore synth({.customers = 20, .seed = 3});
  auto inputs = Inputs(synth.records());
  REQUIRE(inputs.size() > 20);
  auto commit = [&](size_t from, size_t to,
                    const std::vector<uint64_t>& delivered) {
    for (size_t i = from; i < to; ++i) REQUIRE(p.Add(inputs[i]).ok());
    std::vector<Outbound> out;
    REQUIRE(p.Commit(delivered, &out).ok());
    return out;
  };
  auto entries = [&] {
    std::vector<uint64_t> firsts;
    REQUIRE((*store)
                ->ForEach(store::Cf::kOutbox, "",
                          [&](absl::string_view k, absl::string_view) {
                            firsts.push_back(store::DecodeBigEndian64(k));
                            return true;
                          })
                .ok());
    return firsts;
  };
  auto first = commit(0, 10, {});
  auto second = commit(10, 20, {});
  REQUIRE(first.size() > 1);
  REQUIRE_FALSE(second.empty());
  REQUIRE(entries().size() == 2);
  // The whole second entry and all but one record of the first confirmed:
  // both stay.
  std::vector<uint64_t> delivered;
  for (size_t i = 1; i < first.size(); ++i) delivered.push_back(first[i].seq);
  for (const auto& o : second) delivered.push_back(o.seq);
  commit(20, 20, delivered);
  CHECK(entries().size() == 2);
  // The last record of the first entry confirmed: both go.
  commit(20, 20, {first[0].seq});
  CHECK(entries().empty());
}

namespace {

// A record as the identity scenarios' harness makes it; `owner` keeps the
// bytes the InputRecord views.
InputRecord Record(std::deque<std::string>& owner, const std::string& topic,
                   const std::string& value, const std::string& event_id) {
  InputRecord in;
  in.topic = owner.emplace_back(topic);
  in.value = owner.emplace_back(value);
  in.key = "k";
  in.headers = {{"event-id", event_id}};
  in.timestamp_ms = 1767225600000;
  return in;
}

}  // namespace

// The pipelined path against the plain one where a batch merges, renames
// and erases customers the batch before left in flight: each identity
// scenario (tests/data/identity) but its last two events in one batch,
// among generated records so each run decodes ahead; those last two
// (merges, mostly) in the next, where a second run, after an erasure,
// brings events for an absorbed identifier and for the erased customer.
TEST_CASE("pipelined commits agree with plain ones across merges and erasures",
          "[streams][pipeline]") {
  std::deque<std::string> owner;
  std::vector<InputRecord> early, late;  // the scenarios' events, split
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(
           std::string(CUSTHUB_TEST_DATA) + "/identity")) {
    if (e.path().extension() == ".scenario") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  int n = 0;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::vector<InputRecord> events;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("event ", 0) != 0) continue;
      std::vector<std::string> tv =
          absl::StrSplit(line.substr(6), absl::MaxSplits(' ', 1));
      events.push_back(
          Record(owner, tv[0], tv[1], "ev-" + std::to_string(++n)));
    }
    size_t split = events.size() > 2 ? events.size() - 2 : 0;
    early.insert(early.end(), events.begin(), events.begin() + split);
    late.insert(late.end(), events.begin() + split, events.end());
  }
  synth::SynthOptions so;
  so.customers = 300;
  so.seed = 11;
  so.interleave = true;
  so.max_records = 600;
  synth::SyntheticStream stream(so);
  std::vector<synth::SynthRecord> recs;
  while (stream.Next(1000, &recs) > 0) {
  }
  std::vector<InputRecord> filler = Inputs(recs);
  auto slice = [](const std::vector<InputRecord>& v, size_t from, size_t to) {
    return std::vector<InputRecord>(v.begin() + from, v.begin() + to);
  };
  auto join = [](std::vector<InputRecord> a,
                 const std::vector<InputRecord>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  // After the merges and the erasure: new ids, later times.
  auto opened = [&](const std::string& email, int day) {
    return Record(owner, "email",
                  R"({"source":"sendgrid","occurredAt":"2026-02-1)" +
                      std::to_string(day) +
                      R"(T10:00:00Z","identifiers":{"emails":[")" + email +
                      R"("]},"email":{"kind":"OPENED"}})",
                  "after-" + std::to_string(day));
  };
  // c.diaz@work.example's customer is absorbed by a late merge
  // (merge_after_history); bo@shop.example's is erased (three_way_merge).
  std::vector<InputRecord> after = {opened("c.diaz@work.example", 1),
                                    opened("bo@shop.example", 2),
                                    opened("bo@shop.example", 3)};
  streams::ProcessorOptions options;
  InputRecord erasure = Record(
      owner, options.erasure_topic,
      R"({"identifierHashes":[")" +
          identity::ErasureHash(options.erasure_salt, "email:bo@shop.example") +
          R"("]})",
      "erase-1");
  // Batches of runs; an erasure goes between the runs of a batch.
  std::vector<std::vector<std::vector<InputRecord>>> batches = {
      {join(slice(filler, 0, 100), early)},
      {join(slice(filler, 100, 200), late),
       join(slice(filler, 200, 300), after)},
      {join(slice(filler, 300, 400), {opened("bo@shop.example", 4)})},
  };

  auto run = [&](bool piped, store::StateStore& store,
                 std::vector<Outbound>* all) {
    streams::ProcessorOptions o = options;
    o.second_thread = piped;
    streams::BatchProcessor p(&store, o);
    REQUIRE(p.Init().ok());
    std::vector<Outbound> out;
    for (const auto& batch : batches) {
      for (size_t r = 0; r < batch.size(); ++r) {
        if (r > 0) {
          // An erasure scans the store, so it waits for the write.
          store.HoldWrites(false);
          REQUIRE(p.AddErasure(erasure).ok());
        }
        if (piped) {
          REQUIRE(p.AddAll(batch[r]).ok());
        } else {
          for (const auto& rec : batch[r]) REQUIRE(p.Add(rec).ok());
        }
      }
      if (piped) {
        // The batch before is written while this one folded: every read
        // ahead went through it.
        store.HoldWrites(false);
        REQUIRE(p.FinishCommit(&out).ok());
        all->insert(all->end(), out.begin(), out.end());
        store.HoldWrites(true);
        REQUIRE(p.StartCommit({}).ok());
      } else {
        REQUIRE(p.Commit({}, &out).ok());
        all->insert(all->end(), out.begin(), out.end());
      }
    }
    store.HoldWrites(false);
    REQUIRE(p.Commit({}, &out).ok());
    all->insert(all->end(), out.begin(), out.end());
    return p.stats();
  };
  TempDir a, b;
  auto plain_store = *store::StateStore::Open({.path = a.path, .sync = false});
  auto piped_store = *store::StateStore::Open({.path = b.path, .sync = false});
  std::vector<Outbound> plain_out, piped_out;
  streams::ProcessorStats plain = run(false, *plain_store, &plain_out);
  streams::ProcessorStats piped = run(true, *piped_store, &piped_out);
  CHECK(plain.merges > 0);
  CHECK(plain.renames > 0);
  CHECK(plain.erasures == 1);
  CHECK(plain.erased_dropped == 3);
  CHECK(plain.events > 400);
  CHECK(piped.merges == plain.merges);
  CHECK(piped.renames == plain.renames);
  CHECK(piped.erased_dropped == plain.erased_dropped);
  CHECK(piped.events == plain.events);
  CHECK(Bytes(piped_out) == Bytes(plain_out));
  CHECK(Everything(*piped_store) == Everything(*plain_store));
}
