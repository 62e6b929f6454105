// The pipelined commit (the next batch folds while the one before is
// written, records decoded ahead and outputs rendered on a second thread)
// against the plain one on one thread: the same records must leave the
// same bytes in every column family and the same outputs, in the same
// order, with the same sequence numbers. And outbox entries leave oldest
// first.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

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
    std::string bytes;
    google::protobuf::io::StringOutputStream sos(&bytes);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    REQUIRE(o.Record().SerializeToCodedStream(&cos));
    cos.Trim();
    out += std::to_string(o.seq) + ":" + bytes + "\n";
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
    std::string& bytes = by_seq[o.seq];
    google::protobuf::io::StringOutputStream sos(&bytes);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    REQUIRE(o.Record().SerializeToCodedStream(&cos));
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
