// Identity resolution within a batch: who owns an identifier, each
// identifier's link budget, and the merges and renames that keep one
// customer per person (the rules: README, Identity resolution).
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/common/log.h"
#include "src/common/status.h"
#include "src/identity/identifiers.h"
#include "src/profile/merge.h"
#include "streams/processor.h"

namespace custhub::streams {

namespace v1 = custhub::v1;
using store::Cf;

absl::StatusOr<std::string> BatchProcessor::OwnerOf(const std::string& key) {
  auto it = identifiers_.find(key);
  if (it != identifiers_.end()) return it->second;
  if (auto cached = identifier_cache_.Find(key)) return *std::move(cached);
  CUSTHUB_ASSIGN_OR_RETURN(auto v, store_->Get(Cf::kIdentifiers, key));
  if (!v.has_value()) return std::string();
  // As committed (or being written: a failed write clears the cache).
  identifier_cache_.Put(key, *v);
  return *std::move(v);
}

absl::Status BatchProcessor::ResolveCustomer(
    const std::vector<std::string>& keys,
    std::vector<std::pair<std::string, std::string>>* owned,
    std::vector<std::string>* unowned) {
  for (const auto& key : keys) {
    CUSTHUB_ASSIGN_OR_RETURN(std::string found, OwnerOf(key));
    if (found.empty()) {
      unowned->push_back(key);
    } else {
      owned->emplace_back(key, std::move(found));  // strongest first
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> BatchProcessor::LinkCount(const std::string& key) {
  auto it = links_.find(key);
  if (it != links_.end()) return it->second;
  CUSTHUB_ASSIGN_OR_RETURN(auto v, store_->Get(Cf::kMeta, "links|" + key));
  int n = 0;
  if (v.has_value() && !absl::SimpleAtoi(*v, &n)) {
    return absl::DataLossError(
        absl::StrCat("link count of ", key, " is corrupt"));
  }
  links_[key] = n;
  return n;
}

absl::StatusOr<std::string> BatchProcessor::Merge(const std::string& a,
                                                  const std::string& b,
                                                  const std::string& linked_by,
                                                  Micros at) {
  CUSTHUB_ASSIGN_OR_RETURN(CustomerSlot * sa, LoadCustomer(a));
  CUSTHUB_ASSIGN_OR_RETURN(CustomerSlot * sb, LoadCustomer(b));
  // The survivor is the customer seen first in event time, ties by id, so
  // any order of the same events picks the same survivor.
  auto rank = [](const CustomerSlot* s, const std::string& id) {
    Micros first = s->state->first_seen_micros();
    return std::make_pair(first == 0 ? INT64_MAX : first, id);
  };
  bool a_wins = rank(sa, a) < rank(sb, b);
  const std::string& survivor = a_wins ? a : b;
  const std::string& absorbed = a_wins ? b : a;
  CustomerSlot* s = a_wins ? sa : sb;
  CustomerSlot* x = a_wins ? sb : sa;
  profile::MergeCustomer(*x->state, s->state);
  s->dirty = true;
  for (const auto& key : x->state->identifier_keys()) {
    identifiers_[key] = survivor;
  }
  if (x->indexed_due) stale_due_.emplace_back(*x->indexed_due, absorbed);
  retired_.push_back({absorbed, survivor, linked_by, at});
  moved_timelines_.emplace_back(absorbed, survivor);
  ++stats_.merges;
  Log(LogLevel::kInfo, "customers merged",
      {{"survivor", survivor},
       {"absorbed", absorbed},
       {"linked_by", linked_by}});
  std::string result = survivor;
  customers_.erase(absorbed);
  return result;
}

absl::StatusOr<bool> BatchProcessor::CustomerExists(const std::string& id) {
  if (customers_.contains(id) || customer_cache_.Contains(CacheKey(id)))
    return true;
  CUSTHUB_ASSIGN_OR_RETURN(auto bytes, store_->Get(Cf::kProfiles, id));
  return bytes.has_value();
}

void BatchProcessor::Attach(const std::string& key, const std::string& id,
                            v1::CustomerState* state) {
  identifiers_[key] = id;
  auto* keys = state->mutable_identifier_keys();
  auto it = std::lower_bound(keys->begin(), keys->end(), key);
  if (it == keys->end() || *it != key) {
    keys->Add(std::string(key));
    std::sort(keys->begin(), keys->end());
  }
}

absl::Status BatchProcessor::Rename(const std::string& from,
                                    const std::string& to,
                                    const std::string& linked_by, Micros at) {
  CUSTHUB_ASSIGN_OR_RETURN(bool taken, CustomerExists(to));
  if (taken)
    return absl::OkStatus();  // another customer: a merge, not a rename
  auto node = customers_.extract(from);
  CustomerSlot slot = std::move(node.mapped());
  slot.state->mutable_profile()->set_customer_id(to);
  slot.dirty = true;
  // Its timers are indexed under the old id: Commit indexes them anew.
  if (slot.indexed_due) stale_due_.emplace_back(*slot.indexed_due, from);
  slot.indexed_due.reset();
  for (const auto& key : slot.state->identifier_keys()) {
    identifiers_[key] = to;
  }
  customers_.emplace(to, std::move(slot));
  retired_.push_back({from, to, linked_by, at});
  moved_timelines_.emplace_back(from, to);
  ++stats_.renames;
  return absl::OkStatus();
}

absl::StatusOr<BatchProcessor::CustomerSlot*> BatchProcessor::OrderCustomer(
    const v1::OrderLedgerEntry& entry) {
  if (!entry.order_seen()) return nullptr;
  CUSTHUB_ASSIGN_OR_RETURN(std::string owner, OwnerOf(entry.customer_key()));
  if (owner.empty()) return nullptr;
  return LoadCustomer(owner);
}

absl::StatusOr<bool> BatchProcessor::TakeLink(const std::string& key) {
  CUSTHUB_ASSIGN_OR_RETURN(int links, LinkCount(key));
  if (links >= options_.identity.max_links_per_identifier) {
    ++stats_.refused_links;
    Log(LogLevel::kWarn, "identity link refused: identifier links too many",
        {{"identifier", key}, {"links", absl::StrCat(links)}});
    return false;
  }
  links_[key] = links + 1;
  dirty_links_.insert(key);
  return true;
}

absl::StatusOr<std::string> BatchProcessor::ChooseCustomer(
    const std::vector<std::string>& keys,
    const std::vector<std::pair<std::string, std::string>>& owned,
    const std::string& explicit_id, Micros at) {
  std::string id = explicit_id;
  if (id.empty() && !owned.empty() && owned.front().first == keys.front()) {
    id = owned.front().second;  // the strongest identifier is known
  }
  // Otherwise a weaker identifier links the event's new ones to its
  // customer, within that identifier's link budget.
  std::vector<std::string> refused;
  for (const auto& [key, owner] : owned) {
    if (!id.empty()) break;
    CUSTHUB_ASSIGN_OR_RETURN(bool linked, TakeLink(key));
    if (linked) {
      id = owner;
    } else {
      refused.push_back(key);
    }
  }
  if (id.empty()) id = identity::CustomerIdFor(keys.front()).value();
  // Identifiers that belong to other customers prove they are this one:
  // merge, unless the identifier has linked too many already.
  for (const auto& [key, first_owner] : owned) {
    CUSTHUB_ASSIGN_OR_RETURN(std::string other, OwnerOf(key));
    if (other == id ||
        std::find(refused.begin(), refused.end(), key) != refused.end()) {
      continue;
    }
    CUSTHUB_ASSIGN_OR_RETURN(bool linked, TakeLink(key));
    if (!linked) continue;
    CUSTHUB_ASSIGN_OR_RETURN(id, Merge(id, other, key, at));
  }
  return id;
}

}  // namespace custhub::streams
