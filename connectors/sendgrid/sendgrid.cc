#include "connectors/sendgrid/sendgrid.h"

#include <simdjson.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "connectors/common/normalize.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace od = simdjson::ondemand;
namespace v1 = custhub::v1;

absl::Status Malformed(simdjson::error_code e) {
  return absl::InvalidArgumentError(
      absl::StrCat("body: not valid JSON (", simdjson::error_message(e), ")"));
}

const char* TypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown type";
}

// The JSON type of `v`; a null is checked to really be `null`.
absl::StatusOr<od::json_type> TypeOf(od::value& v) {
  od::json_type type;
  if (auto e = v.type().get(type)) return Malformed(e);
  if (type == od::json_type::null) {
    // Checked without consuming the value, so callers may still read it.
    std::string_view raw = v.raw_json_token();
    if (absl::StripTrailingAsciiWhitespace(
            absl::string_view(raw.data(), raw.size())) != "null") {
      return Malformed(simdjson::N_ATOM_ERROR);
    }
  }
  return type;
}

// A string field; null is absent.
absl::StatusOr<std::optional<std::string>> ReadString(od::value& v,
                                                      absl::string_view field) {
  auto type = TypeOf(v);
  if (!type.ok()) return type.status();
  if (*type == od::json_type::null) return std::optional<std::string>();
  if (*type != od::json_type::string) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": expected a string, got ", TypeName(*type)));
  }
  std::string_view s;
  if (auto e = v.get_string().get(s)) return Malformed(e);
  return std::optional<std::string>(std::string(s.data(), s.size()));
}

// `timestamp`: Unix seconds as a JSON number (or a string of digits, as
// some relays re-encode it). Null is absent.
absl::StatusOr<std::optional<Micros>> ReadTimestamp(od::value& v,
                                                    absl::string_view field) {
  auto type = TypeOf(v);
  if (!type.ok()) return type.status();
  std::string token;
  if (*type == od::json_type::null) return std::optional<Micros>();
  if (*type == od::json_type::number) {
    std::string_view raw = v.raw_json_token();
    token = std::string(
        absl::StripAsciiWhitespace(absl::string_view(raw.data(), raw.size())));
  } else if (*type == od::json_type::string) {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return Malformed(e);
    token = std::string(s.data(), s.size());
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": expected Unix seconds, got ", TypeName(*type)));
  }
  bool numeric = !token.empty();
  for (char c : token)
    numeric = numeric && (absl::ascii_isdigit(c) || c == '.');
  if (!numeric) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", absl::CHexEscape(token.substr(0, 64)),
                     "' is not a Unix time in seconds"));
  }
  auto t = ParseWebhookTime(token, field);
  if (!t.ok()) return t.status();
  return std::optional<Micros>(*t);
}

// What one SendGrid event becomes.
struct Mapping {
  enum Kind { kEngagement, kConsent, kSkip, kUnknown } kind = kUnknown;
  v1::EmailEngagement::Kind engagement = v1::EmailEngagement::KIND_UNSPECIFIED;
  v1::ConsentChange::State consent = v1::ConsentChange::STATE_UNSPECIFIED;
};

Mapping MapEvent(absl::string_view event) {
  using E = v1::EmailEngagement;
  using C = v1::ConsentChange;
  static constexpr std::pair<absl::string_view, E::Kind> kEngagements[] = {
      {"delivered", E::DELIVERED}, {"open", E::OPENED},
      {"click", E::CLICKED},       {"bounce", E::BOUNCED},
      {"dropped", E::DROPPED},     {"spamreport", E::SPAM_COMPLAINT}};
  static constexpr std::pair<absl::string_view, C::State> kConsents[] = {
      {"unsubscribe", C::UNSUBSCRIBED},
      {"group_unsubscribe", C::UNSUBSCRIBED},
      {"group_resubscribe", C::SUBSCRIBED}};
  Mapping m;
  for (const auto& [name, kind] : kEngagements) {
    if (event == name) {
      m.kind = Mapping::kEngagement;
      m.engagement = kind;
    }
  }
  for (const auto& [name, state] : kConsents) {
    if (event == name) {
      m.kind = Mapping::kConsent;
      m.consent = state;
    }
  }
  // Accepted by SendGrid and deferred for retry: no engagement yet.
  if (event == "processed" || event == "deferred") m.kind = Mapping::kSkip;
  return m;
}

// The fields of one element custhub reads; the rest are skipped.
struct Element {
  std::optional<std::string> email;
  std::optional<std::string> event;
  std::optional<Micros> timestamp;
  std::optional<std::string> sg_event_id;
  std::optional<std::string> sg_message_id;
  std::optional<std::string> url;
  std::optional<std::string> reason;
  std::optional<std::string> campaign;  // marketing_campaign_name
};

absl::StatusOr<Element> ReadElement(od::value& v, const std::string& at) {
  auto type = TypeOf(v);
  if (!type.ok()) return type.status();
  if (*type != od::json_type::object) {
    return absl::InvalidArgumentError(
        absl::StrCat(at, ": expected an event object, got ", TypeName(*type)));
  }
  od::object object;
  if (auto e = v.get_object().get(object)) return Malformed(e);
  static constexpr std::pair<absl::string_view,
                             std::optional<std::string> Element::*>
      kStrings[] = {{"email", &Element::email},
                    {"event", &Element::event},
                    {"sg_event_id", &Element::sg_event_id},
                    {"sg_message_id", &Element::sg_message_id},
                    {"url", &Element::url},
                    {"reason", &Element::reason},
                    {"marketing_campaign_name", &Element::campaign}};
  Element el;
  for (auto field_result : object) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return Malformed(e);
    std::string_view key_view;
    if (auto e = field.unescaped_key().get(key_view)) return Malformed(e);
    absl::string_view key(key_view.data(), key_view.size());
    od::value value = field.value();
    if (key == "timestamp") {
      auto t = ReadTimestamp(value, absl::StrCat(at, ".timestamp"));
      if (!t.ok()) return t.status();
      el.timestamp = *t;
      continue;
    }
    for (const auto& [name, member] : kStrings) {
      if (key != name) continue;
      auto s = ReadString(value, absl::StrCat(at, ".", name));
      if (!s.ok()) return s.status();
      el.*member = std::move(*s);
    }
  }
  return el;
}

bool Blank(const std::optional<std::string>& s) {
  return !s.has_value() || absl::StripAsciiWhitespace(*s).empty();
}

}  // namespace

absl::StatusOr<std::vector<v1::Event>> DecodeSendGrid(
    const RawRecord& r, const DecodeOptions& options) {
  simdjson::padded_string padded(r.body.data(), r.body.size());
  od::parser parser;
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return Malformed(e);
  od::json_type root;
  if (auto e = doc.type().get(root)) return Malformed(e);
  if (root != od::json_type::array) {
    return absl::InvalidArgumentError(absl::StrCat(
        "body: expected a JSON array of events, got ", TypeName(root)));
  }
  od::array array;
  if (auto e = doc.get_array().get(array)) return Malformed(e);

  std::vector<v1::Event> out;
  size_t index = 0;
  for (auto element_result : array) {
    std::string at = absl::StrCat("[", index++, "]");
    od::value value;
    if (auto e = std::move(element_result).get(value)) return Malformed(e);
    auto el = ReadElement(value, at);
    if (!el.ok()) return el.status();
    if (Blank(el->event))
      return absl::InvalidArgumentError(at + ".event: missing");
    if (Blank(el->email))
      return absl::InvalidArgumentError(at + ".email: missing");
    if (!el->timestamp) {
      return absl::InvalidArgumentError(at + ".timestamp: missing");
    }
    Mapping m = MapEvent(*el->event);
    if (m.kind == Mapping::kUnknown) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ".event: '", absl::CHexEscape(el->event->substr(0, 64)),
          "' is not a SendGrid event type"));
    }
    if (m.kind == Mapping::kSkip) continue;

    v1::Event e;
    e.set_source("sendgrid");
    e.set_event_type(*el->event);
    if (!Blank(el->sg_event_id)) e.set_event_id(*el->sg_event_id);
    e.set_occurred_at(FormatRfc3339(*el->timestamp));
    e.mutable_identifiers()->add_emails(*el->email);
    if (m.kind == Mapping::kEngagement) {
      v1::EmailEngagement* eng = e.mutable_email();
      eng->set_kind(m.engagement);
      if (el->sg_message_id) eng->set_message_id(*el->sg_message_id);
      if (el->campaign) eng->set_campaign(*el->campaign);
      if (el->url && m.engagement == v1::EmailEngagement::CLICKED) {
        eng->set_url(*el->url);
      }
    } else {
      v1::ConsentChange* consent = e.mutable_consent();
      consent->set_state(m.consent);
      consent->set_reason(*el->event);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace custhub::connectors
