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

void SetHeader(v1::OutboxRecord* r, absl::string_view name, std::string value) {
  for (auto& h : *r->mutable_headers()) {
    if (h.key() == name) {
      h.set_value(std::move(value));
      return;
    }
  }
  auto* h = r->add_headers();
  h->set_key(std::string(name));
  h->set_value(std::move(value));
}

const std::string* FindHeader(const v1::OutboxRecord& r,
                              absl::string_view name) {
  for (const auto& h : r.headers()) {
    if (h.key() == name) return &h.value();
  }
  return nullptr;
}

v1::OutboxRecord ProfileRecord(const v1::CustomerProfile& profile,
                               const OutputTopics& topics,
                               OutputFormat format) {
  v1::OutboxRecord r;
  r.set_topic(topics.profiles);
  r.set_key(profile.customer_id());
  if (format == OutputFormat::kJson) {
    r.set_value(ProfileJson(profile, false));
    SetHeader(&r, "content-type", "application/json");
  } else {
    std::string bytes;
    profile.SerializeToString(&bytes);
    r.set_value(std::move(bytes));
    SetHeader(&r, "content-type", "application/x-protobuf");
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
    SetHeader(&r, "content-type", "application/json");
  } else {
    r.set_value(change.SerializeAsString());
    SetHeader(&r, "content-type", "application/x-protobuf");
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
    SetHeader(&r, "content-type", "application/json");
  } else {
    r.set_value(trigger.SerializeAsString());
    SetHeader(&r, "content-type", "application/x-protobuf");
  }
  SetHeader(&r, "idempotency-key", trigger.idempotency_key());
  return r;
}

v1::OutboxRecord DlqRecord(const OriginalRecord& original,
                           absl::string_view reason,
                           const OutputTopics& topics) {
  v1::OutboxRecord r;
  r.set_topic(topics.dlq);
  r.set_key(std::string(original.key));
  r.set_value(std::string(original.value));
  for (const auto& [k, v] : original.headers) SetHeader(&r, k, v);
  SetHeader(&r, "dlq-reason", std::string(reason.substr(0, 1024)));
  SetHeader(&r, "dlq-topic", std::string(original.topic));
  SetHeader(&r, "dlq-partition", absl::StrCat(original.partition));
  SetHeader(&r, "dlq-offset", absl::StrCat(original.offset));
  return r;
}

}  // namespace custhub::publish
