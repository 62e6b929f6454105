#include "connectors/sendgrid/sendgrid.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "connectors/common/json_fields.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace v1 = custhub::v1;

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

absl::StatusOr<Element> ReadElement(JsonValue& v, absl::string_view at) {
  auto type = TypeOf(v, at);
  if (!type.ok()) return type.status();
  if (*type != JsonType::object) return WrongType(at, "an event object", *type);
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
  absl::Status s =
      VisitObject(v, at, [&](absl::string_view key, JsonValue& value) {
        JsonPath path = ChildPath(at, key);
        if (key == "timestamp") {
          return ReadTime(value, path, TimeFormat::kUnixSeconds, &el.timestamp);
        }
        for (const auto& [name, member] : kStrings) {
          if (key == name) return ReadString(value, path, &(el.*member));
        }
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return el;
}

bool Blank(const std::optional<std::string>& s) {
  return !s.has_value() || absl::StripAsciiWhitespace(*s).empty();
}

}  // namespace

absl::StatusOr<std::vector<v1::Event>> DecodeSendGrid(
    const RawRecord& r, const DecodeOptions& options) {
  std::vector<v1::Event> out;
  absl::Status s = VisitBodyArray(
      r.body, "a JSON array of events",
      [&](absl::string_view at, JsonValue& value) -> absl::Status {
        auto el = ReadElement(value, at);
        if (!el.ok()) return el.status();
        if (Blank(el->event)) return Missing(ChildPath(at, "event"));
        if (Blank(el->email)) return Missing(ChildPath(at, "email"));
        if (!el->timestamp) return Missing(ChildPath(at, "timestamp"));
        Mapping m = MapEvent(*el->event);
        if (m.kind == Mapping::kUnknown) {
          return InvalidValue(ChildPath(at, "event"), *el->event,
                              "a SendGrid event type");
        }
        if (m.kind == Mapping::kSkip) return absl::OkStatus();

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
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  return out;
}

}  // namespace custhub::connectors
