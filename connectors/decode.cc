#include "connectors/decode.h"

#include <simdjson.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "connectors/canonical/canonical.h"
#include "connectors/common/validate.h"
#include "src/common/hash.h"

namespace custhub::connectors {
namespace {

constexpr absl::string_view kSources[] = {
    "canonical", "shopify",  "woocommerce", "magento", "zendesk",
    "gorgias",   "sendgrid", "mailchimp",   "klaviyo"};

}  // namespace

bool IsKnownSource(absl::string_view source) {
  for (auto s : kSources)
    if (s == source) return true;
  return false;
}

absl::StatusOr<std::vector<custhub::v1::Event>> Decode(
    const RawRecord& r, const DecodeOptions& options) {
  absl::string_view source = r.source.empty() ? "canonical" : r.source;
  if (!IsKnownSource(source)) {
    return absl::InvalidArgumentError(
        absl::StrCat("source: '", absl::CHexEscape(source.substr(0, 64)),
                     "' is not a known source"));
  }
  bool binary = r.content_type == "application/x-protobuf";
  if (!binary && !simdjson::validate_utf8(r.body.data(), r.body.size())) {
    return absl::InvalidArgumentError("body: not valid UTF-8");
  }
  absl::StatusOr<std::vector<custhub::v1::Event>> events;
  if (source == "canonical") {
    events = DecodeCanonical(r);
  } else {
    return absl::UnimplementedError(
        absl::StrCat("source: no decoder for '", source, "' in this build"));
  }
  if (!events.ok()) return events.status();
  std::string fallback_id;
  size_t index = 0;
  for (auto& e : *events) {
    if (e.event_type().empty()) e.set_event_type(std::string(r.event_type));
    if (e.event_id().empty()) {
      if (!r.event_id.empty() && events->size() == 1) {
        e.set_event_id(std::string(r.event_id));
      } else {
        if (fallback_id.empty()) {
          fallback_id = absl::StrCat(
              "h:", Hex64(Hash64(absl::StrCat(source, "\n", r.event_type,
                                              "\n", r.body))));
        }
        // One record may carry many events: each gets its own id.
        e.set_event_id(events->size() == 1
                           ? fallback_id
                           : absl::StrCat(fallback_id, ":", index));
      }
    }
    auto s = ValidateEvent(&e);
    if (!s.ok()) return s;
    ++index;
  }
  return events;
}

}  // namespace custhub::connectors
