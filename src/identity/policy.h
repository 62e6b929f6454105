// Merge protection and identifier priority: which identifiers may link
// customers at all, how many customers one identifier may join, and which
// kind of identifier outranks which.
//
//   IdentityPolicy policy;                       // documented defaults
//   policy.blocklist.push_back("phone:+14155550000");  // the shop's phone
//   auto keys = UsableKeys(event.identifiers(), policy);  // strongest first
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "custhub/v1/common.pb.h"

namespace custhub::identity {

struct IdentityPolicy {
  // Kinds of identifier from strongest to weakest: "ext" (per-source ids),
  // "email", "phone". Default: ext, email, phone.
  std::vector<std::string> priority = {"ext", "email", "phone"};
  // Identifier keys that never link anyone ("email:x@y.com",
  // "phone:+1..."), on top of the built-in role and placeholder addresses
  // (noreply@, no-reply@, donotreply@, mailer-daemon@, postmaster@,
  // test@test.com, test@example.com, example@example.com, ...). Default:
  // none.
  std::vector<std::string> blocklist;
  // How many links one identifier may make: merging two customers, or
  // joining an event's new, stronger identifier to its customer. Past it the
  // link is refused (counted and logged) and the event folds into the
  // customer of its strongest identifier. Default: 5.
  int max_links_per_identifier = 5;

  absl::Status Validate() const;
};

// True for the built-in placeholders and for anything in the blocklist.
bool IsBlocked(absl::string_view key, const IdentityPolicy& policy);

// Removes blocked emails, phones and per-source ids from `ids`, so they
// neither link customers nor show in a profile. Returns how many went.
int DropBlocked(custhub::v1::Identifiers* ids, const IdentityPolicy& policy);

// The event's identifier keys without blocked ones, strongest first by the
// policy's priority (ties keep IdentifierKeys' order).
std::vector<std::string> UsableKeys(const custhub::v1::Identifiers& ids,
                                    const IdentityPolicy& policy);

}  // namespace custhub::identity
