// Distinct types for the ids custhub passes around, so a customer id cannot
// be handed where an event id is expected (Redpanda's named_type idea).
//
//   CustomerId id("cus_abc");
//   absl::string_view raw = id.value();
#pragma once

#include <compare>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace custhub {

template <typename Tag>
class NamedId {
 public:
  NamedId() = default;
  explicit NamedId(std::string value) : value_(std::move(value)) {}

  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend auto operator<=>(const NamedId&, const NamedId&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const NamedId& id) {
    return H::combine(std::move(h), id.value_);
  }

 private:
  std::string value_;
};

struct CustomerIdTag {};
struct EventIdTag {};
using CustomerId = NamedId<CustomerIdTag>;
using EventId = NamedId<EventIdTag>;

}  // namespace custhub
