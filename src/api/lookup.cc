#include "src/api/lookup.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/common/hash.h"
#include "src/common/status.h"
#include "src/common/time.h"
#include "src/identity/identifiers.h"

namespace custhub::api {
namespace {

// Parses the newest `limit` values under "customer_id \0" in `cf`.
template <typename Proto>
absl::StatusOr<std::vector<Proto>> Newest(store::StateStore& store,
                                          store::Cf cf,
                                          const std::string& customer_id,
                                          size_t limit) {
  std::vector<Proto> out;
  if (limit == 0 || customer_id.empty()) return out;
  std::string prefix = absl::StrCat(customer_id, absl::string_view("\0", 1));
  bool corrupt = false;
  CUSTHUB_RETURN_IF_ERROR(store.ForEachReverse(
      cf, prefix, [&](absl::string_view, absl::string_view value) {
        Proto p;
        if (!p.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          corrupt = true;
          return false;
        }
        out.push_back(std::move(p));
        return out.size() < limit;
      }));
  if (corrupt) {
    return absl::DataLossError(absl::StrCat(
        "a ", store::CfName(cf), " entry of ", customer_id, " is corrupt"));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::optional<custhub::v1::CustomerState>> LookupCustomer(
    store::StateStore& store, const std::string& id) {
  std::string customer_id;
  if (absl::StartsWith(id, "cus_")) {
    customer_id = id;
  } else {
    std::string key;
    if (id.find('@') != std::string::npos) {
      auto email = identity::NormalizeEmail(id);
      if (!email.ok()) return email.status();
      key = absl::StrCat("email:", *email);
    } else if (!id.empty() &&
               (id[0] == '+' || isdigit(static_cast<unsigned char>(id[0])))) {
      auto phone = identity::NormalizePhoneE164(id[0] == '+' ? id : "+" + id);
      if (!phone.ok()) return phone.status();
      key = absl::StrCat("phone:", *phone);
    } else {
      key = absl::StrCat("ext:", id);  // "shopify:6405012345"
    }
    CUSTHUB_ASSIGN_OR_RETURN(auto owner,
                             store.Get(store::Cf::kIdentifiers, key));
    if (!owner.has_value()) return std::optional<custhub::v1::CustomerState>();
    customer_id = *owner;
  }
  CUSTHUB_ASSIGN_OR_RETURN(auto bytes,
                           store.Get(store::Cf::kProfiles, customer_id));
  if (!bytes.has_value()) return std::optional<custhub::v1::CustomerState>();
  custhub::v1::CustomerState state;
  if (!state.ParseFromString(*bytes)) {
    return absl::DataLossError(
        absl::StrCat("profile ", customer_id, " is corrupt"));
  }
  return std::optional<custhub::v1::CustomerState>(std::move(state));
}

absl::StatusOr<std::vector<custhub::v1::TimelineEntry>> RecentTimeline(
    store::StateStore& store, const std::string& customer_id, size_t limit) {
  using custhub::v1::TimelineEntry;
  std::vector<TimelineEntry> out;
  if (limit == 0 || customer_id.empty()) return out;
  // Values are single entries or packs of one batch's entries (state.proto
  // TimelinePack), keyed by their newest entry's time. Newest key first, a
  // pack can still hold entries older than the next one's: read on until no
  // unread value can hold one of the `limit` newest.
  auto newer = [](const TimelineEntry& a, const TimelineEntry& b) {
    if (a.at_micros() != b.at_micros()) return a.at_micros() > b.at_micros();
    return Hash64(a.event_id()) > Hash64(b.event_id());  // as keys order
  };
  std::string prefix = absl::StrCat(customer_id, absl::string_view("\0", 1));
  bool corrupt = false;
  CUSTHUB_RETURN_IF_ERROR(store.ForEachReverse(
      store::Cf::kTimeline, prefix,
      [&](absl::string_view key, absl::string_view value) {
        auto key_at = static_cast<Micros>(
            store::DecodeBigEndian64(key.substr(prefix.size(), 8)));
        if (out.size() >= limit) {
          std::nth_element(out.begin(), out.begin() + (limit - 1), out.end(),
                           newer);
          if (key_at < out[limit - 1].at_micros()) return false;
        }
        if (!value.empty() && value[0] == '\0') {
          custhub::v1::TimelinePack pack;
          value.remove_prefix(1);
          if (!pack.ParseFromArray(value.data(),
                                   static_cast<int>(value.size()))) {
            corrupt = true;
            return false;
          }
          for (auto& e : *pack.mutable_entries()) out.push_back(std::move(e));
          return true;
        }
        TimelineEntry e;
        if (!e.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          corrupt = true;
          return false;
        }
        out.push_back(std::move(e));
        return true;
      }));
  if (corrupt) {
    return absl::DataLossError(
        absl::StrCat("a timeline entry of ", customer_id, " is corrupt"));
  }
  std::sort(out.begin(), out.end(), newer);
  if (out.size() > limit) out.resize(limit);
  return out;
}

absl::StatusOr<std::vector<custhub::v1::Trigger>> RecentTriggers(
    store::StateStore& store, const std::string& customer_id, size_t limit) {
  return Newest<custhub::v1::Trigger>(store, store::Cf::kTriggers, customer_id,
                                      limit);
}

}  // namespace custhub::api
