// Salted identifier hashes for GDPR erasure. The erasure ledger and the
// custhub.erasure topic carry only these hashes, never the identifier.
//
//   std::string h = ErasureHash(salt, "email:ann@example.com");  // 64 hex
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace custhub::identity {

// Default salt when none is configured; set `secrets: {erasure_salt: ...}`
// or CUSTHUB_ERASURE_SALT in production so hashes cannot be guessed.
inline constexpr absl::string_view kDefaultErasureSalt = "custhub-erasure-v1";

// Hex HMAC-SHA256 of an identifier index key under the salt.
std::string ErasureHash(absl::string_view salt, absl::string_view key);

}  // namespace custhub::identity
