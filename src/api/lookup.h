// Read-side queries over a state dir, shared by `custhub profile get`, the
// demo and the HTTP API: find a customer by customer id, email, phone or
// "source:id", and read their newest timeline entries and triggers.
//
//   auto state = api::LookupCustomer(store, "ann@example.com");
//   if (state.ok() && state->has_value()) {
//     auto recent = api::RecentTimeline(store,
//     (*state)->profile().customer_id(), 50);
//   }
//
// Thread-safety: as StateStore's reads; safe beside the hub's poll thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "custhub/v1/state.pb.h"
#include "custhub/v1/trigger.pb.h"
#include "src/store/state_store.h"

namespace custhub::api {

// The customer's state, or nullopt if no customer matches `id`.
// InvalidArgument if `id` looks like an email or phone but is not one.
absl::StatusOr<std::optional<custhub::v1::CustomerState>> LookupCustomer(
    store::StateStore& store, const std::string& id);

// Up to `limit` of the customer's timeline entries (store::Cf::kTimeline),
// newest event time first.
absl::StatusOr<std::vector<custhub::v1::TimelineEntry>> RecentTimeline(
    store::StateStore& store, const std::string& customer_id, size_t limit);

// Up to `limit` of the customer's triggers (store::Cf::kTriggers), fired
// and suppressed, newest first.
absl::StatusOr<std::vector<custhub::v1::Trigger>> RecentTriggers(
    store::StateStore& store, const std::string& customer_id, size_t limit);

}  // namespace custhub::api
