// Drives the batch processor against a real RocksDB in a temp dir, without
// Kafka: records in, commits at chosen batch boundaries, state read back.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "custhub/v1/state.pb.h"
#include "src/store/state_store.h"
#include "streams/processor.h"

namespace custhub::testing {

struct Rec {
  std::string topic, value, event_id;
};

class Harness {
 public:
  explicit Harness(const std::string& dir,
                   streams::ProcessorOptions options = {}) {
    store_ = std::move(*store::StateStore::Open({.path = dir, .sync = false}));
    processor_ =
        std::make_unique<streams::BatchProcessor>(store_.get(), options);
    REQUIRE(processor_->Init().ok());
  }
  // One record into the open batch, without committing.
  void Add(const Rec& r) {
    streams::InputRecord in;
    in.topic = r.topic;
    in.offset = offsets_[r.topic]++;
    in.value = r.value;
    in.key = "k";
    in.headers = {{"event-id", r.event_id}};
    in.timestamp_ms = 1767225600000;
    REQUIRE(processor_->Add(in).ok());
  }
  void CommitBatch() {
    std::vector<streams::Outbound> out;
    Commit(&out);
  }
  // As the hub does after a failed write.
  void Abandon() { processor_->Abandon(); }
  const streams::BatchProcessor& processor() const { return *processor_; }
  // Feeds records, committing every `batch` records and at the end.
  std::vector<streams::Outbound> Feed(const std::vector<Rec>& recs,
                                      size_t batch) {
    std::vector<streams::Outbound> all;
    size_t n = 0;
    for (const auto& r : recs) {
      Add(r);
      if (++n % batch == 0) Commit(&all);
    }
    Commit(&all);
    return all;
  }
  // The customer an identifier key ("email:a@b.com") points to, if any.
  std::optional<v1::CustomerState> ByKey(const std::string& key) {
    auto id = *store_->Get(store::Cf::kIdentifiers, key);
    if (!id.has_value()) return std::nullopt;
    auto bytes = *store_->Get(store::Cf::kProfiles, *id);
    REQUIRE(bytes.has_value());
    v1::CustomerState s;
    REQUIRE(s.ParseFromString(*bytes));
    return s;
  }
  v1::CustomerState Customer(const std::string& email) {
    auto s = ByKey("email:" + email);
    REQUIRE(s.has_value());
    return *s;
  }
  // Records in a family (under a key prefix).
  int Keys(store::Cf cf, absl::string_view prefix = "") {
    int n = 0;
    REQUIRE(store_
                ->ForEach(cf, prefix,
                          [&](absl::string_view, absl::string_view) {
                            ++n;
                            return true;
                          })
                .ok());
    return n;
  }
  int Customers() { return Keys(store::Cf::kProfiles); }
  std::string Digest() { return *store_->Digest(); }
  // Readable customer state (profiles, ledgers, identifiers), to show what
  // differs when two digests do.
  std::string Dump() {
    std::string out;
    for (auto cf :
         {store::Cf::kProfiles, store::Cf::kLedgers, store::Cf::kIdentifiers}) {
      REQUIRE(store_
                  ->ForEach(cf, "",
                            [&](absl::string_view k, absl::string_view v) {
                              out += std::string(k) + " => ";
                              if (cf == store::Cf::kProfiles) {
                                v1::CustomerState s;
                                REQUIRE(s.ParseFromArray(v.data(), v.size()));
                                out += s.ShortDebugString();
                              } else if (cf == store::Cf::kLedgers) {
                                v1::OrderLedgerEntry o;
                                v1::TicketLedgerEntry t;
                                if (k[0] == 'o') {
                                  REQUIRE(o.ParseFromArray(v.data(), v.size()));
                                  out += o.ShortDebugString();
                                } else {
                                  REQUIRE(t.ParseFromArray(v.data(), v.size()));
                                  out += t.ShortDebugString();
                                }
                              } else {
                                out += std::string(v);
                              }
                              out += "\n";
                              return true;
                            })
                  .ok());
    }
    return out;
  }
  streams::BatchProcessor& processor() { return *processor_; }
  store::StateStore& store() { return *store_; }

 private:
  void Commit(std::vector<streams::Outbound>* all) {
    std::vector<streams::Outbound> out;
    REQUIRE(processor_->Commit({}, &out).ok());
    for (auto& o : out) all->push_back(std::move(o));
  }
  std::unique_ptr<store::StateStore> store_;
  std::unique_ptr<streams::BatchProcessor> processor_;
  std::map<std::string, int64_t> offsets_;
};

}  // namespace custhub::testing
