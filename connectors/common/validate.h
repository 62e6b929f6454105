// Checks and normalises a decoded canonical event before identity resolution
// and folding: required fields present, money exact and in range, times with
// offsets, identifiers normalised. Every error names the offending field, as
// the DLQ reason does.
//
//   CUSTHUB_RETURN_IF_ERROR(ValidateEvent(&event));
#pragma once

#include "absl/status/status.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// Longest id (order, refund, ticket, event) custhub accepts, in bytes.
inline constexpr size_t kMaxIdBytes = 256;
// Most items one order or refund may carry.
inline constexpr int kMaxItems = 100000;

absl::Status ValidateEvent(custhub::v1::Event* event);

// True when the event resolves its customer through identifiers (all but
// refunds, which go through their order, and erasure requests).
bool NeedsIdentifiers(const custhub::v1::Event& event);

// An order deletion that names only the order (WooCommerce's order.deleted
// sends just {"id": N}): it reaches its customer through the order ledger.
bool IsBareDeletion(const custhub::v1::Event& event);

}  // namespace custhub::connectors
