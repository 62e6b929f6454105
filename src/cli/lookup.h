// Finds a customer in a state dir by customer id, email, phone or
// "source:id", the way `profile get` and the HTTP API take them.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "custhub/v1/state.pb.h"
#include "src/store/state_store.h"

namespace custhub::cli {

// The customer's state, or nullopt if no customer matches `id`.
absl::StatusOr<std::optional<custhub::v1::CustomerState>> LookupCustomer(
    store::StateStore& store, const std::string& id);

}  // namespace custhub::cli
