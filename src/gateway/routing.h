// Where a webhook goes: which input topic, under which record key, with
// which contract headers (`source`, `event-type`, `event-id`,
// `content-type`) mapped from the platform's own headers. Pure.
//
//   auto routed = RouteWebhook("shopify", header, query, body, topics);
//   // routed->topic == "orders", headers carry X-Shopify-Topic as event-type
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "streams/options.h"

namespace custhub::gateway {

using Lookup = std::function<std::string(absl::string_view)>;

struct Routed {
  std::string topic;
  std::string key;  // keeps one customer's records on one partition
  std::vector<std::pair<std::string, std::string>> headers;
};

// InvalidArgument for an unknown source. `header` looks up request headers
// case-insensitively, `query` URL parameters (`event` overrides the type).
absl::StatusOr<Routed> RouteWebhook(absl::string_view source,
                                    const Lookup& header, const Lookup& query,
                                    absl::string_view body,
                                    const streams::InputTopics& topics);

}  // namespace custhub::gateway
