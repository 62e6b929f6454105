// Record format (seen family): key "\x01" + be64(newest time in it) +
// be64(record number); value 24 bytes per id: be64 high, be64 low half of
// the hash, be64 time. An earlier version kept "source|event id" -> be64
// time, one key per id (below "\x01" + 1 they cannot be: sources are
// letters).
#include "streams/seen_ids.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "src/common/hash.h"
#include "src/common/status.h"

namespace custhub::streams {
namespace {

using store::Cf;
using store::DecodeBigEndian64;
using store::EncodeBigEndian64;

constexpr char kRecordTag = '\x01';
constexpr size_t kEntryBytes = 24;

std::string RecordKey(Micros newest, uint64_t number) {
  return absl::StrCat(absl::string_view(&kRecordTag, 1),
                      EncodeBigEndian64(static_cast<uint64_t>(newest)),
                      EncodeBigEndian64(number));
}

}  // namespace

SeenIds::Id SeenIds::IdOf(absl::string_view source,
                          absl::string_view event_id) {
  return Hash128(absl::StrCat(source, "|", event_id));
}

void SeenIds::Unload() {
  loaded_ = false;
  seen_.clear();
  legacy_.clear();
  drop_legacy_ = false;
}

absl::Status SeenIds::Load(store::StateStore* store) {
  Unload();
  bool corrupt = false;
  CUSTHUB_RETURN_IF_ERROR(store->ForEach(
      Cf::kSeen, "", [&](absl::string_view k, absl::string_view v) {
        if (k.size() == 17 && k[0] == kRecordTag) {
          if (v.size() % kEntryBytes != 0) {
            corrupt = true;
            return false;
          }
          for (size_t i = 0; i < v.size(); i += kEntryBytes) {
            Id id = absl::MakeUint128(DecodeBigEndian64(v.substr(i, 8)),
                                      DecodeBigEndian64(v.substr(i + 8, 8)));
            auto at = static_cast<Micros>(DecodeBigEndian64(v.substr(i + 16)));
            Remember(id, at);
          }
          next_record_ =
              std::max(next_record_, DecodeBigEndian64(k.substr(9)) + 1);
        } else if (v.size() == 8) {  // an earlier version's key
          auto at = static_cast<Micros>(DecodeBigEndian64(v));
          legacy_.emplace_back(Hash128(k), at);
          Remember(legacy_.back().first, at);
          drop_legacy_ = true;
        }
        return true;
      }));
  if (corrupt) return absl::DataLossError("seen ids: a record is corrupt");
  purge_at_ = std::max<size_t>(2 * seen_.size(), 1 << 16);
  loaded_ = true;
  return absl::OkStatus();
}

void SeenIds::Remember(Id id, Micros at) {
  auto [it, added] = seen_.try_emplace(id, at);
  if (!added) it->second = std::max(it->second, at);
}

std::optional<Micros> SeenIds::Find(Id id) const {
  auto it = seen_.find(id);
  if (it == seen_.end()) return std::nullopt;
  return it->second;
}

void SeenIds::Commit(const absl::flat_hash_map<Id, Micros>& fresh,
                     Micros expiry, store::StateBatch* batch) {
  // Sorted, so the record's bytes follow from the ids alone.
  std::vector<std::pair<Id, Micros>> ids(fresh.begin(), fresh.end());
  ids.insert(ids.end(), legacy_.begin(), legacy_.end());
  legacy_.clear();
  if (drop_legacy_) {
    // Every earlier-version key: sources are letters, above the tag.
    batch->DeleteRange(Cf::kSeen, absl::string_view("\x02", 1), "\x7f");
    drop_legacy_ = false;
  }
  if (!ids.empty()) {
    std::sort(ids.begin(), ids.end());
    std::string value;
    value.reserve(ids.size() * kEntryBytes);
    Micros newest = INT64_MIN;
    for (const auto& [id, at] : ids) {
      absl::StrAppend(&value, EncodeBigEndian64(absl::Uint128High64(id)),
                      EncodeBigEndian64(absl::Uint128Low64(id)),
                      EncodeBigEndian64(static_cast<uint64_t>(at)));
      Remember(id, at);
      newest = std::max(newest, at);
    }
    batch->Put(Cf::kSeen, RecordKey(newest, next_record_++), value);
  }
  // Records whose newest id left the window go; an hour at a time, so
  // range deletes do not pile up one per batch.
  if (expiry > 0 && expiry - deleted_before_ >= kMicrosPerHour) {
    batch->DeleteRange(Cf::kSeen, absl::string_view(&kRecordTag, 1),
                       RecordKey(expiry, 0));
    deleted_before_ = expiry;
  }
  if (seen_.size() >= purge_at_) {
    absl::erase_if(seen_,
                   [expiry](const auto& e) { return e.second < expiry; });
    purge_at_ = std::max<size_t>(2 * seen_.size(), 1 << 16);
  }
}

}  // namespace custhub::streams
