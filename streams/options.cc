#include "streams/options.h"

namespace custhub::streams {

std::vector<std::string> AllContractTopics(const InputTopics& in,
                                           const publish::OutputTopics& out) {
  std::vector<std::string> all = in.All();
  for (const auto* t :
       {&out.profiles, &out.triggers, &out.identity, &out.dlq}) {
    all.push_back(*t);
  }
  for (const char* t :
       {"crm.contacts", "esp.profiles", "esp.events", "erp.customers"}) {
    all.emplace_back(t);
  }
  return all;
}

absl::Status HubOptions::Validate() const {
  if (bootstrap.empty()) {
    return absl::InvalidArgumentError("--bootstrap: required");
  }
  if (state_dir.empty()) {
    return absl::InvalidArgumentError("--state-dir: required");
  }
  if (batch_max == 0 || batch_max > 1'000'000) {
    return absl::InvalidArgumentError("--batch-max: must be 1..1000000");
  }
  if (processor.max_body_bytes < 1024) {
    return absl::InvalidArgumentError("--max-body-bytes: at least 1024");
  }
  if (replay && advance_when_idle > 0) {
    return absl::InvalidArgumentError(
        "--advance-when-idle: not in a replay (triggers would depend on when "
        "the replay ran)");
  }
  if (advance_when_idle < 0 || merge_wait < 0) {
    return absl::InvalidArgumentError(
        "--advance-when-idle, --merge-wait: must not be negative");
  }
  for (const auto& t : inputs.All()) {
    if (t.empty())
      return absl::InvalidArgumentError("topics: empty topic name");
  }
  return absl::OkStatus();
}

}  // namespace custhub::streams
