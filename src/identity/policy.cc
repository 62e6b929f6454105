#include "src/identity/policy.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/identity/identifiers.h"

namespace custhub::identity {
namespace {

// Mailboxes that belong to systems or roles, never to one shopper.
constexpr absl::string_view kRoleLocalParts[] = {
    "noreply",       "no-reply",   "no_reply", "donotreply", "do-not-reply",
    "mailer-daemon", "postmaster", "bounce",   "bounces",    "nobody"};
// Addresses and numbers people type when a form insists.
constexpr absl::string_view kPlaceholders[] = {
    "email:test@test.com",       "email:test@example.com",
    "email:example@example.com", "email:email@example.com",
    "email:none@none.com",       "email:na@na.com",
    "email:noemail@noemail.com", "email:no@email.com",
    "phone:+10000000000",        "phone:+11111111111",
    "phone:+12345678900",        "phone:+15555555555"};

absl::string_view KindOf(absl::string_view key) {
  return key.substr(0, key.find(':'));
}

}  // namespace

absl::Status IdentityPolicy::Validate() const {
  if (max_links_per_identifier < 1) {
    return absl::InvalidArgumentError("--max-links-per-identifier: at least 1");
  }
  for (const auto& kind : priority) {
    if (kind != "ext" && kind != "email" && kind != "phone") {
      return absl::InvalidArgumentError(absl::StrCat(
          "--identity-priority: '", kind, "' is not ext, email or phone"));
    }
  }
  return absl::OkStatus();
}

bool IsBlocked(absl::string_view key, const IdentityPolicy& policy) {
  for (auto p : kPlaceholders) {
    if (key == p) return true;
  }
  if (absl::StartsWith(key, "email:")) {
    absl::string_view local = key.substr(6, key.find('@') - 6);
    for (auto role : kRoleLocalParts) {
      if (local == role) return true;
    }
  }
  return std::find(policy.blocklist.begin(), policy.blocklist.end(), key) !=
         policy.blocklist.end();
}

int DropBlocked(custhub::v1::Identifiers* ids, const IdentityPolicy& policy) {
  int dropped = 0;
  auto prune = [&](google::protobuf::RepeatedPtrField<std::string>* list,
                   absl::string_view kind) {
    for (int i = list->size() - 1; i >= 0; --i) {
      if (IsBlocked(absl::StrCat(kind, ":", list->Get(i)), policy)) {
        list->DeleteSubrange(i, 1);
        ++dropped;
      }
    }
  };
  prune(ids->mutable_emails(), "email");
  prune(ids->mutable_phones(), "phone");
  auto* ext = ids->mutable_external_ids();
  for (auto it = ext->begin(); it != ext->end();) {
    if (IsBlocked(absl::StrCat("ext:", it->first, ":", it->second), policy)) {
      it = ext->erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

std::vector<std::string> UsableKeys(const custhub::v1::Identifiers& ids,
                                    const IdentityPolicy& policy) {
  std::vector<std::string> keys = IdentifierKeys(ids);
  keys.erase(std::remove_if(
                 keys.begin(), keys.end(),
                 [&](const std::string& k) { return IsBlocked(k, policy); }),
             keys.end());
  auto rank = [&](const std::string& key) {
    auto it =
        std::find(policy.priority.begin(), policy.priority.end(), KindOf(key));
    return static_cast<int>(it - policy.priority.begin());
  };
  std::stable_sort(keys.begin(), keys.end(),
                   [&](const std::string& a, const std::string& b) {
                     return rank(a) < rank(b);
                   });
  return keys;
}

}  // namespace custhub::identity
