// Output records, built without I/O: the streams runtime puts them in the
// outbox in the same atomic batch as the state that produced them, and the
// publisher sends them later.
//
//   v1::OutboxRecord r = ProfileRecord(state.profile(), topics, kJson);
//   v1::OutboxRecord d = DlqRecord(original, "body: not valid UTF-8", topics);
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "custhub/v1/identity.pb.h"
#include "custhub/v1/profile.pb.h"
#include "custhub/v1/state.pb.h"
#include "custhub/v1/trigger.pb.h"

namespace custhub::publish {

namespace v1 = custhub::v1;

enum class OutputFormat { kProtobuf, kJson };

// Output topic names. Defaults are the contract's.
struct OutputTopics {
  std::string profiles = "customer.profiles";  // Default: customer.profiles
  std::string triggers = "customer.triggers";  // Default: customer.triggers
  std::string identity = "customer.identity";  // Default: customer.identity
  std::string dlq = "custhub.dlq";             // Default: custhub.dlq
};

// Sets header `name` of `r`, replacing the value it had.
void SetHeader(v1::OutboxRecord* r, absl::string_view name, std::string value);
// The value of header `name` of `r`, or null when it has none.
const std::string* FindHeader(const v1::OutboxRecord& r,
                              absl::string_view name);

// The profile as a compacted-topic upsert keyed by customer id.
v1::OutboxRecord ProfileRecord(const v1::CustomerProfile& profile,
                               const OutputTopics& topics, OutputFormat format);

// A null value on customer.profiles: the customer was erased or merged away.
v1::OutboxRecord ProfileTombstone(absl::string_view customer_id,
                                  const OutputTopics& topics);

// An identity change on customer.identity, keyed by the survivor.
v1::OutboxRecord IdentityChangeRecord(const v1::IdentityChange& change,
                                      const OutputTopics& topics,
                                      OutputFormat format);

// A trigger on customer.triggers keyed by customer id; the header
// `idempotency-key` repeats trigger.idempotency_key.
v1::OutboxRecord TriggerRecord(const v1::Trigger& trigger,
                               const OutputTopics& topics, OutputFormat format);

// What custhub consumed, for the DLQ.
struct OriginalRecord {
  absl::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  absl::string_view key;
  absl::string_view value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// The original key, value and headers plus dlq-reason, dlq-topic,
// dlq-partition and dlq-offset.
v1::OutboxRecord DlqRecord(const OriginalRecord& original,
                           absl::string_view reason,
                           const OutputTopics& topics);

// The profile in protobuf's JSON mapping, every field present.
std::string ProfileJson(const v1::CustomerProfile& profile, bool pretty);

}  // namespace custhub::publish
