// GDPR erasure inside the batch processor: an erasure request (salted
// identifier hashes on custhub.erasure) deletes the customer's profile,
// identifiers and ledgers, records every one of its identifier hashes in
// the erasure ledger so later events (and replays) are dropped, and
// announces the erasure with a tombstone.
#include "src/identity/erasure.h"

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "src/common/log.h"
#include "src/common/status.h"
#include "src/publish/destinations.h"
#include "src/publish/outputs.h"
#include "streams/processor.h"

namespace custhub::streams {
namespace {

namespace v1 = custhub::v1;
using store::Cf;

constexpr absl::string_view kErasedPrefix = "erased|";

// {"identifierHashes": ["<64 hex>", ...]} -> the hashes.
absl::StatusOr<std::vector<std::string>> ParseRequest(absl::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("body: not valid JSON");
  }
  simdjson::dom::array hashes;
  if (doc["identifierHashes"].get_array().get(hashes) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        "identifierHashes: missing or not an array");
  }
  std::vector<std::string> out;
  for (auto h : hashes) {
    std::string_view v;
    if (h.get_string().get(v) != simdjson::SUCCESS || v.size() != 64) {
      return absl::InvalidArgumentError(
          "identifierHashes: each must be 64 hex digits");
    }
    out.emplace_back(v);
  }
  if (out.empty()) return absl::InvalidArgumentError("identifierHashes: empty");
  return out;
}

std::string RequestJson(const std::vector<std::string>& hashes,
                        absl::string_view customer_id) {
  std::string json = R"({"identifierHashes":[)";
  for (size_t i = 0; i < hashes.size(); ++i) {
    absl::StrAppend(&json, i ? "," : "", "\"", hashes[i], "\"");
  }
  absl::StrAppend(&json, R"(],"erasedCustomer":")", customer_id, "\"}");
  return json;
}

}  // namespace

absl::Status BatchProcessor::LoadErased() {
  return store_->ForEach(
      Cf::kIdentifiers, kErasedPrefix,
      [&](absl::string_view k, absl::string_view) {
        erased_.insert(std::string(k.substr(kErasedPrefix.size())));
        return true;
      });
}

bool BatchProcessor::IsErased(const std::vector<std::string>& keys) const {
  if (erased_.empty()) return false;  // the common case costs nothing
  for (const auto& key : keys) {
    if (erased_.contains(identity::ErasureHash(options_.erasure_salt, key))) {
      return true;
    }
  }
  return false;
}

absl::Status BatchProcessor::AddErasure(const InputRecord& r) {
  ++stats_.records;
  ++pending_records_;
  offsets_[{std::string(r.topic), r.partition}] = r.offset + 1;
  auto hashes = ParseRequest(r.value);
  if (!hashes.ok()) {
    SendToDlq(r, hashes.status().message());
    return absl::OkStatus();
  }
  absl::flat_hash_set<std::string> wanted(hashes->begin(), hashes->end());
  for (const auto& h : *hashes) {
    if (erased_.insert(h).second) new_erased_.push_back(h);
  }
  // Which customers hold one of the identifiers: erasures are rare, so a
  // scan of the identifier index beats keeping a hash index beside it. The
  // batch's own identifiers count as it left them (new, merged, renamed).
  auto named = [&](absl::string_view key, absl::string_view id) {
    // By identifier, or by customer id ("cid:cus_...").
    return wanted.contains(identity::ErasureHash(options_.erasure_salt, key)) ||
           wanted.contains(identity::ErasureHash(options_.erasure_salt,
                                                 absl::StrCat("cid:", id)));
  };
  std::set<std::string> customers;
  CUSTHUB_RETURN_IF_ERROR(store_->ForEach(
      Cf::kIdentifiers, "", [&](absl::string_view k, absl::string_view v) {
        if (k.substr(0, kErasedPrefix.size()) == kErasedPrefix) return true;
        if (!identifiers_.contains(k) && named(k, v)) {
          customers.insert(std::string(v));
        }
        return true;
      }));
  for (const auto& [key, id] : identifiers_) {
    if (named(key, id)) customers.insert(id);
  }
  for (const auto& id : customers) {
    CUSTHUB_ASSIGN_OR_RETURN(CustomerSlot * slot, LoadCustomer(id));
    std::vector<std::string> keys(slot->state->identifier_keys().begin(),
                                  slot->state->identifier_keys().end());
    absl::flat_hash_set<std::string> key_set(keys.begin(), keys.end());
    std::vector<std::string> all_hashes;
    for (const auto& key : keys) {
      std::string h = identity::ErasureHash(options_.erasure_salt, key);
      if (erased_.insert(h).second) new_erased_.push_back(h);
      all_hashes.push_back(h);
      erased_keys_.push_back(key);
      identifiers_.erase(key);
    }
    // Ledgers name customers by identifier: orders keep only their refunds
    // (what a replay, which drops the orders, would hold too); tickets go.
    CUSTHUB_RETURN_IF_ERROR(store_->ForEach(
        Cf::kLedgers, "", [&](absl::string_view k, absl::string_view v) {
          if (k.substr(0, 2) == "o|") {
            v1::OrderLedgerEntry e;
            if (e.ParseFromArray(v.data(), static_cast<int>(v.size())) &&
                key_set.contains(e.customer_key())) {
              v1::OrderLedgerEntry kept;
              *kept.mutable_refunds() = e.refunds();
              erased_orders_.emplace_back(k, kept.SerializeAsString());
            }
          } else {
            v1::TicketLedgerEntry t;
            if (t.ParseFromArray(v.data(), static_cast<int>(v.size())) &&
                key_set.contains(t.customer_key())) {
              erased_orders_.emplace_back(k, std::string());
            }
          }
          return true;
        }));
    std::sort(all_hashes.begin(), all_hashes.end());
    erasure_outputs_.push_back(publish::ProfileTombstone(id, options_.outputs));
    for (auto& d : publish::DestinationDeletes(options_.destinations,
                                               slot->state->profile())) {
      erasure_outputs_.push_back(std::move(d));
    }
    v1::OutboxRecord follow_up;
    follow_up.set_topic(options_.erasure_topic);
    follow_up.set_key(all_hashes.front());
    follow_up.set_value(RequestJson(all_hashes, id));
    publish::SetHeader(&follow_up, "source", "custhub");
    publish::SetHeader(&follow_up, "event-type", "erasure.completed");
    erasure_outputs_.push_back(std::move(follow_up));
    erased_customers_.push_back(id);
    customers_.erase(id);
    ++stats_.erasures;
    Log(LogLevel::kInfo, "customer erased",
        {{"customer", id}, {"identifiers", absl::StrCat(keys.size())}});
  }
  return absl::OkStatus();
}

void BatchProcessor::WriteErasures(
    store::StateBatch* batch, std::vector<custhub::v1::OutboxRecord>* out) {
  for (const auto& h : new_erased_) {
    batch->Put(Cf::kIdentifiers, absl::StrCat(kErasedPrefix, h), "1");
  }
  for (const auto& key : erased_keys_) {
    batch->Delete(Cf::kIdentifiers, key);
    batch->Delete(Cf::kMeta, "links|" + key);
  }
  for (const auto& [key, kept] : erased_orders_) {
    if (kept.empty()) {
      batch->Delete(Cf::kLedgers, key);
    } else {
      batch->Put(Cf::kLedgers, key, kept);
    }
  }
  for (const auto& id : erased_customers_) {
    batch->Delete(Cf::kProfiles, id);
    batch->Delete(Cf::kRules, id);
    for (Cf cf : {Cf::kTimeline, Cf::kTriggers}) {
      batch->DeleteRange(cf, absl::StrCat(id, absl::string_view("\0", 1)),
                         absl::StrCat(id, absl::string_view("\1", 1)));
    }
    timeline_.erase(id);
  }
  for (auto& r : erasure_outputs_) out->push_back(std::move(r));
}

void BatchProcessor::ClearErasures() {
  new_erased_.clear();
  erased_keys_.clear();
  erased_orders_.clear();
  erased_customers_.clear();
  erasure_outputs_.clear();
}

}  // namespace custhub::streams
