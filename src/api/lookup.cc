#include "src/api/lookup.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/common/status.h"
#include "src/common/time.h"
#include "src/identity/identifiers.h"
#include "src/store/windowed_log.h"

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
  // One windowed log per customer (src/store/windowed_log.h), items in the
  // order folded, each an entry without its time, which the frame holds.
  CUSTHUB_ASSIGN_OR_RETURN(
      auto log,
      store.Get(store::Cf::kTimeline,
                absl::StrCat(customer_id, absl::string_view("\0", 1))));
  if (!log.has_value()) return out;
  bool corrupt = false;
  bool whole =
      store::ForEachLogItem(*log, [&](int64_t at, absl::string_view item) {
        TimelineEntry& e = out.emplace_back();
        corrupt |=
            !e.ParseFromArray(item.data(), static_cast<int>(item.size()));
        e.set_at_micros(at);
      });
  if (corrupt || !whole) {
    return absl::DataLossError(
        absl::StrCat("the timeline of ", customer_id, " is corrupt"));
  }
  // Newest first; of entries at the same time, the one folded last.
  std::reverse(out.begin(), out.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const TimelineEntry& a, const TimelineEntry& b) {
                     return a.at_micros() > b.at_micros();
                   });
  if (out.size() > limit) out.resize(limit);
  return out;
}

absl::StatusOr<std::vector<custhub::v1::Trigger>> RecentTriggers(
    store::StateStore& store, const std::string& customer_id, size_t limit) {
  return Newest<custhub::v1::Trigger>(store, store::Cf::kTriggers, customer_id,
                                      limit);
}

}  // namespace custhub::api
