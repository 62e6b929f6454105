#include "src/cli/lookup.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/common/status.h"
#include "src/identity/identifiers.h"

namespace custhub::cli {

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
    } else if (!id.empty() && (id[0] == '+' || isdigit(id[0]))) {
      auto phone = identity::NormalizePhoneE164(id[0] == '+' ? id : "+" + id);
      if (!phone.ok()) return phone.status();
      key = absl::StrCat("phone:", *phone);
    } else {
      key = absl::StrCat("ext:", id);  // "shopify:6405012345"
    }
    CUSTHUB_ASSIGN_OR_RETURN(auto owner, store.Get(store::Cf::kIdentifiers, key));
    if (!owner.has_value()) return std::optional<custhub::v1::CustomerState>();
    customer_id = *owner;
  }
  CUSTHUB_ASSIGN_OR_RETURN(auto bytes, store.Get(store::Cf::kProfiles, customer_id));
  if (!bytes.has_value()) return std::optional<custhub::v1::CustomerState>();
  custhub::v1::CustomerState state;
  if (!state.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("profile ", customer_id, " is corrupt"));
  }
  return std::optional<custhub::v1::CustomerState>(std::move(state));
}

}  // namespace custhub::cli
