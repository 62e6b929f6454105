#include "src/publish/outputs.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"

namespace custhub::publish {

std::string ProfileJson(const v1::CustomerProfile& profile, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.add_whitespace = pretty;
  std::string out;
  // Printing a valid, fully-linked message cannot fail; if it ever did, the
  // empty string is what consumers get.
  if (!google::protobuf::util::MessageToJsonString(profile, &out, options)
           .ok()) {
    out.clear();
  }
  return out;
}

v1::OutboxRecord ProfileRecord(const v1::CustomerProfile& profile,
                               const OutputTopics& topics,
                               OutputFormat format) {
  v1::OutboxRecord r;
  r.set_topic(topics.profiles);
  r.set_key(profile.customer_id());
  if (format == OutputFormat::kJson) {
    r.set_value(ProfileJson(profile, false));
    (*r.mutable_headers())["content-type"] = "application/json";
  } else {
    std::string bytes;
    profile.SerializeToString(&bytes);
    r.set_value(std::move(bytes));
    (*r.mutable_headers())["content-type"] = "application/x-protobuf";
  }
  return r;
}

v1::OutboxRecord ProfileTombstone(absl::string_view customer_id,
                                  const OutputTopics& topics) {
  v1::OutboxRecord r;
  r.set_topic(topics.profiles);
  r.set_key(std::string(customer_id));
  r.set_tombstone(true);
  return r;
}

v1::OutboxRecord IdentityChangeRecord(const v1::IdentityChange& change,
                                      const OutputTopics& topics,
                                      OutputFormat format) {
  v1::OutboxRecord r;
  r.set_topic(topics.identity);
  r.set_key(change.survivor_id());
  if (format == OutputFormat::kJson) {
    google::protobuf::util::JsonPrintOptions options;
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(change, &json, options)
             .ok()) {
      json.clear();  // cannot happen for a linked message; see ProfileJson
    }
    r.set_value(std::move(json));
    (*r.mutable_headers())["content-type"] = "application/json";
  } else {
    r.set_value(change.SerializeAsString());
    (*r.mutable_headers())["content-type"] = "application/x-protobuf";
  }
  return r;
}

v1::OutboxRecord TriggerRecord(const v1::Trigger& trigger,
                               const OutputTopics& topics,
                               OutputFormat format) {
  v1::OutboxRecord r;
  r.set_topic(topics.triggers);
  r.set_key(trigger.customer_id());
  if (format == OutputFormat::kJson) {
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    std::string json;
    if (!google::protobuf::util::MessageToJsonString(trigger, &json, options)
             .ok()) {
      json.clear();  // cannot happen for a linked message; see ProfileJson
    }
    r.set_value(std::move(json));
    (*r.mutable_headers())["content-type"] = "application/json";
  } else {
    r.set_value(trigger.SerializeAsString());
    (*r.mutable_headers())["content-type"] = "application/x-protobuf";
  }
  (*r.mutable_headers())["idempotency-key"] = trigger.idempotency_key();
  return r;
}

v1::OutboxRecord DlqRecord(const OriginalRecord& original,
                           absl::string_view reason,
                           const OutputTopics& topics) {
  v1::OutboxRecord r;
  r.set_topic(topics.dlq);
  r.set_key(std::string(original.key));
  r.set_value(std::string(original.value));
  auto& h = *r.mutable_headers();
  for (const auto& [k, v] : original.headers) h[k] = v;
  h["dlq-reason"] = std::string(reason.substr(0, 1024));
  h["dlq-topic"] = std::string(original.topic);
  h["dlq-partition"] = absl::StrCat(original.partition);
  h["dlq-offset"] = absl::StrCat(original.offset);
  return r;
}

}  // namespace custhub::publish
