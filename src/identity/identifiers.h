// Identifier normalisation and the keys of the identity index.
//
// Every identifier an event carries becomes one index key, ordered from
// strongest to weakest: per-source ids ("shopify:6405"), then emails
// ("email:a@b.com"), then phones ("phone:+15551234567"). The strongest key
// of a customer's first event names the customer: "cus_" + base32 of its
// hash, so the same events always produce the same ids.
//
//   auto email = NormalizeEmail("  Ann@Example.COM ");  // "ann@example.com"
//   auto keys = IdentifierKeys(event.identifiers());
//   CustomerId id = CustomerIdFor(keys.front());
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "custhub/v1/common.pb.h"
#include "src/common/ids.h"

namespace custhub::identity {

// Trimmed, lower-cased, one '@', a dot in the domain, no spaces; at most
// 254 bytes. InvalidArgument naming the value otherwise.
absl::StatusOr<std::string> NormalizeEmail(absl::string_view email);

// Accepts E.164 ("+" and 8..15 digits) after removing spaces, dashes, dots
// and parentheses. Connectors with national numbers use libphonenumber first.
absl::StatusOr<std::string> NormalizePhoneE164(absl::string_view phone);

// Normalises every identifier in place; InvalidArgument names the field.
absl::Status NormalizeIdentifiers(custhub::v1::Identifiers* ids);

// Index keys, strongest first: external ids (sorted by source), emails,
// phones. Duplicates removed.
std::vector<std::string> IdentifierKeys(const custhub::v1::Identifiers& ids);

// The stable id a new customer gets from its strongest identifier key.
CustomerId CustomerIdFor(absl::string_view strongest_key);

}  // namespace custhub::identity
