// The batch processor's reads ahead: while the poll thread folds, AddAll's
// decoding thread reads what each decoded event will look up, so the fold
// finds it in the event instead of in RocksDB. Only writes change the
// store, the batch in flight is read through (StateStore::Get), and the
// fold checks its own batch first, so a value read ahead is the committed
// one the fold would have read itself (from the caches or the store).
#include "absl/strings/str_cat.h"
#include "src/identity/identifiers.h"
#include "streams/processor.h"

namespace custhub::streams {

using store::Cf;

void BatchProcessor::ReadAhead(PreparedEvent& p) {
  p.stored_seen = store_->Get(Cf::kSeen, p.seen_key);
  std::vector<std::string> owners;
  owners.reserve(p.keys.size());
  for (const auto& key : p.keys) {
    auto owner = store_->Get(Cf::kIdentifiers, key);
    if (!owner.ok()) return;  // the fold reads again and reports it
    owners.push_back(owner->value_or(""));
  }
  // The customers the fold will load: the one the event names, the owners
  // of its identifiers, or else the one its strongest identifier makes.
  std::vector<std::string> ids;
  if (const std::string& named = p.event.identifiers().customer_id();
      !named.empty()) {
    ids.push_back(named);
  }
  for (const auto& owner : owners) {
    if (!owner.empty()) ids.push_back(owner);
  }
  if (ids.empty() && !p.keys.empty()) {
    ids.push_back(identity::CustomerIdFor(p.keys.front()).value());
  }
  for (auto& id : ids) {
    if (!read_ahead_ids_.insert(id).second) continue;
    CustomerSlot slot;
    auto found = ReadCustomer(id, &slot);
    if (!found.ok()) continue;  // the fold reads again and reports it
    // Not found: a null state, so the fold creates it without a read.
    p.customers.emplace_back(std::move(id), std::move(slot));
  }
  p.stored_owners = std::move(owners);
}

}  // namespace custhub::streams
