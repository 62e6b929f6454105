#include "connectors/decode.h"

#include <simdjson.h>

#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "connectors/canonical/canonical.h"
#include "connectors/common/validate.h"
#include "connectors/gorgias/gorgias.h"
#include "connectors/klaviyo/klaviyo.h"
#include "connectors/magento/magento.h"
#include "connectors/mailchimp/mailchimp.h"
#include "connectors/sendgrid/sendgrid.h"
#include "connectors/shopify/shopify.h"
#include "connectors/woocommerce/woocommerce.h"
#include "connectors/zendesk/zendesk.h"
#include "src/common/hash.h"

namespace custhub::connectors {
namespace {

using Decoder = absl::StatusOr<std::vector<custhub::v1::Event>> (*)(
    const RawRecord&, const DecodeOptions&);

absl::StatusOr<std::vector<custhub::v1::Event>> Canonical(
    const RawRecord& r, const DecodeOptions&) {
  return DecodeCanonical(r);
}

struct Source {
  absl::string_view name;
  Decoder decode;
};

constexpr Source kSources[] = {
    {"canonical", &Canonical},           {"shopify", &DecodeShopify},
    {"woocommerce", &DecodeWooCommerce}, {"magento", &DecodeMagento},
    {"zendesk", &DecodeZendesk},         {"gorgias", &DecodeGorgias},
    {"sendgrid", &DecodeSendGrid},       {"mailchimp", &DecodeMailchimp},
    {"klaviyo", &DecodeKlaviyo}};

// How many '{' and '[' the body holds (strings included), counting up to
// `limit`: no parser can find it nested deeper than that. memchr, because a
// byte loop cost as much as the parse it saves.
size_t Openers(absl::string_view body, size_t limit) {
  size_t n = 0;
  for (char bracket : {'{', '['}) {
    const char* p = body.data();
    const char* end = p + body.size();
    while (n < limit && p < end) {
      p = static_cast<const char*>(std::memchr(p, bracket, end - p));
      if (p == nullptr) break;
      ++n;
      ++p;
    }
  }
  return n;
}

Decoder FindDecoder(absl::string_view source) {
  for (const auto& s : kSources) {
    if (s.name == source) return s.decode;
  }
  return nullptr;
}

}  // namespace

bool IsKnownSource(absl::string_view source) {
  return FindDecoder(source) != nullptr;
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
  bool json =
      !binary && r.content_type != "application/x-www-form-urlencoded" &&
      !r.body.empty() && (r.body.front() == '{' || r.body.front() == '[');
  if (json) {
    // No webhook nests deeper than this; deeper bodies are refused before
    // any decoder walks them.
    thread_local simdjson::dom::parser depth_check(1 << 20);
    thread_local bool sized =
        depth_check.allocate(1 << 20, kMaxJsonDepth) == simdjson::SUCCESS;
    simdjson::dom::element ignored;
    // Only bodies with enough brackets to come near the limit pay for a
    // second, full parse (it was ~4% of the engine); the margin covers how
    // simdjson counts depth.
    bool shallow = Openers(r.body, kMaxJsonDepth) < kMaxJsonDepth - 2;
    if (!shallow && sized && r.body.size() <= (1 << 20) &&
        depth_check.parse(r.body.data(), r.body.size()).get(ignored) ==
            simdjson::DEPTH_ERROR) {
      return absl::InvalidArgumentError(absl::StrCat(
          "body: JSON nested deeper than ", kMaxJsonDepth, " levels"));
    }
  }
  auto events = FindDecoder(source)(r, options);
  if (!events.ok()) return events.status();
  std::string fallback_id;
  size_t index = 0;
  for (auto& e : *events) {
    if (e.event_type().empty()) e.set_event_type(std::string(r.event_type));
    if (e.event_id().empty()) {
      // One record may carry many events: each gets its own id, stable
      // across retried deliveries of the same record.
      if (fallback_id.empty()) {
        fallback_id =
            !r.event_id.empty()
                ? std::string(r.event_id)
                : absl::StrCat("h:",
                               Hex64(Hash64(absl::StrCat(
                                   source, "\n", r.event_type, "\n", r.body))));
      }
      e.set_event_id(events->size() == 1
                         ? fallback_id
                         : absl::StrCat(fallback_id, ":", index));
    }
    auto s = ValidateEvent(&e);
    if (!s.ok()) return s;
    ++index;
  }
  return events;
}

}  // namespace custhub::connectors
