#include "connectors/klaviyo/klaviyo.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "connectors/common/json_fields.h"
#include "connectors/common/normalize.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace v1 = custhub::v1;

// ---- The parts of a Klaviyo event custhub reads.

struct Profile {
  std::string id;
  std::string email;
  std::string phone;
  std::string first_name;
  std::string last_name;
};

struct EventParts {
  std::string id;                   // data.id
  std::string metric;               // name from data.attributes.metric
  std::string metric_id;            // the metric's id, to find it in included
  std::string profile_id;           // data.relationships.profile.data.id
  Profile profile;                  // data.attributes.profile, when inline
  std::string datetime;             // ISO 8601
  std::optional<Micros> timestamp;  // Unix seconds
  // From event_properties: free-form, so only string values are taken.
  std::string url;
  std::string message_id;
  std::string campaign;
  std::string property_email;
  std::string property_phone;
};

// One JSON:API document ({"data": event, "included": [...]}) or a system
// webhook envelope ({"data": [{"topic", "external_id", "payload"}, ...]}).
struct Document {
  bool has_event = false;
  EventParts event;
  std::vector<Profile> profiles;                             // included
  std::vector<std::pair<std::string, std::string>> metrics;  // id, name
  std::string metric;  // a top-level "metric" name
  // Envelope items, each with its payload document and external_id.
  std::vector<std::pair<std::string, Document>> items;
};

// A JSON:API resource object: {"type", "id", "attributes"}. The metric's
// attributes carry `name`, a profile's its contact fields.
absl::Status ReadResource(JsonValue& v, absl::string_view path,
                          std::string* type, std::string* id, std::string* name,
                          Profile* profile) {
  return VisitObject(v, path, [&](absl::string_view key, JsonValue& value) {
    JsonPath at = ChildPath(path, key);
    if (key == "type") return ReadString(value, at, type);
    if (key == "id") return ReadString(value, at, id);
    if (key != "attributes") return absl::OkStatus();
    return VisitObject(value, at, [&](absl::string_view k, JsonValue& a) {
      JsonPath attr = ChildPath(at, k);
      if (k == "name") return ReadString(a, attr, name);
      if (k == "email") return ReadString(a, attr, &profile->email);
      if (k == "phone_number") return ReadString(a, attr, &profile->phone);
      if (k == "first_name") return ReadString(a, attr, &profile->first_name);
      if (k == "last_name") return ReadString(a, attr, &profile->last_name);
      return absl::OkStatus();
    });
  });
}

// A relationship or inline reference: {"data": resource}.
absl::Status ReadReference(JsonValue& v, absl::string_view path,
                           std::string* id, std::string* name,
                           Profile* profile) {
  return VisitObject(v, path, [&](absl::string_view key, JsonValue& value) {
    if (key == "name") return ReadString(value, ChildPath(path, key), name);
    if (key != "data") return absl::OkStatus();
    std::string type;
    return ReadResource(value, ChildPath(path, key), &type, id, name, profile);
  });
}

// A metric: its name as a string, or a reference to the metric resource.
absl::Status ReadMetric(JsonValue& v, absl::string_view path, std::string* id,
                        std::string* name) {
  auto type = TypeOf(v, path);
  if (!type.ok()) return type.status();
  if (*type == JsonType::string) return ReadString(v, path, name);
  Profile unused;
  return ReadReference(v, path, id, name, &unused);
}

absl::Status ReadProperties(JsonValue& v, absl::string_view path,
                            EventParts* ev) {
  return VisitObject(v, path, [&](absl::string_view key, JsonValue& value) {
    std::string* target = nullptr;
    if (key == "URL" || key == "url") target = &ev->url;
    if (key == "$message") target = &ev->message_id;
    if (key == "Campaign Name") target = &ev->campaign;
    if (key == "$email" || key == "email") target = &ev->property_email;
    if (key == "$phone_number") target = &ev->property_phone;
    if (target == nullptr) return absl::OkStatus();
    JsonPath at = ChildPath(path, key);
    auto type = TypeOf(value, at);
    if (!type.ok()) return type.status();
    if (*type != JsonType::string) return absl::OkStatus();
    return ReadString(value, at, target);
  });
}

absl::Status ReadAttributes(JsonValue& v, absl::string_view path,
                            EventParts* ev) {
  return VisitObject(v, path, [&](absl::string_view key, JsonValue& value) {
    JsonPath at = ChildPath(path, key);
    if (key == "datetime") return ReadString(value, at, &ev->datetime);
    if (key == "timestamp" || key == "time") {
      // `time` is the Create Event API's name; it may be ISO 8601 too.
      auto type = TypeOf(value, at);
      if (!type.ok()) return type.status();
      if (key == "time" && *type == JsonType::string) {
        return ReadString(value, at, &ev->datetime);
      }
      return ReadTime(value, at, TimeFormat::kWebhook, &ev->timestamp);
    }
    if (key == "event_properties" || key == "properties") {
      return ReadProperties(value, at, ev);
    }
    if (key == "metric")
      return ReadMetric(value, at, &ev->metric_id, &ev->metric);
    if (key == "profile") {
      std::string unused_name;
      return ReadReference(value, at, &ev->profile.id, &unused_name,
                           &ev->profile);
    }
    return absl::OkStatus();
  });
}

absl::Status ReadEvent(JsonValue& v, absl::string_view path, EventParts* ev) {
  return VisitObject(v, path, [&](absl::string_view key, JsonValue& value) {
    JsonPath at = ChildPath(path, key);
    if (key == "id") return ReadString(value, at, &ev->id);
    if (key == "attributes") return ReadAttributes(value, at, ev);
    if (key != "relationships") return absl::OkStatus();
    return VisitObject(value, at, [&](absl::string_view rel, JsonValue& r) {
      JsonPath rat = ChildPath(at, rel);
      std::string unused_name;
      Profile unused;
      if (rel == "profile") {
        return ReadReference(r, rat, &ev->profile_id, &unused_name, &unused);
      }
      if (rel == "metric") {
        return ReadReference(r, rat, &ev->metric_id, &unused_name, &unused);
      }
      return absl::OkStatus();
    });
  });
}

absl::Status ReadIncluded(JsonValue& v, absl::string_view path, Document* doc) {
  return VisitArray(v, path, [&](absl::string_view at, JsonValue& element) {
    std::string type, id, name;
    Profile profile;
    auto s = ReadResource(element, at, &type, &id, &name, &profile);
    if (!s.ok()) return s;
    if (type == "profile") {
      profile.id = id;
      doc->profiles.push_back(std::move(profile));
    } else if (type == "metric") {
      doc->metrics.emplace_back(id, name);
    }
    return absl::OkStatus();
  });
}

absl::Status DocumentField(absl::string_view path, absl::string_view key,
                           JsonValue& value, Document* doc);

// One system-webhook item: {"topic", "external_id", "payload"}.
absl::Status ReadEnvelopeItem(JsonValue& v, absl::string_view path,
                              Document* doc) {
  std::string external_id;
  Document payload;
  auto s = VisitObject(v, path, [&](absl::string_view key, JsonValue& value) {
    JsonPath at = ChildPath(path, key);
    if (key == "external_id") return ReadString(value, at, &external_id);
    if (key != "payload") return absl::OkStatus();
    return VisitObject(value, at, [&](absl::string_view k, JsonValue& f) {
      return DocumentField(at, k, f, &payload);
    });
  });
  if (!s.ok()) return s;
  if (!payload.has_event) return Missing(ChildPath(path, "payload"));
  doc->items.emplace_back(std::move(external_id), std::move(payload));
  return absl::OkStatus();
}

// A field of a document at `path`: "" at the top, "data[i].payload" inside
// an envelope (which does not nest).
absl::Status DocumentField(absl::string_view path, absl::string_view key,
                           JsonValue& value, Document* doc) {
  JsonPath at = ChildPath(path, key);
  if (key == "included") return ReadIncluded(value, at, doc);
  if (key == "metric") {
    std::string unused_id;
    return ReadMetric(value, at, &unused_id, &doc->metric);
  }
  if (key != "data") return absl::OkStatus();
  auto type = TypeOf(value, at);
  if (!type.ok()) return type.status();
  if (*type == JsonType::null) return absl::OkStatus();
  if (*type == JsonType::array && path.empty()) {
    return VisitArray(value, at, [&](absl::string_view item, JsonValue& v) {
      return ReadEnvelopeItem(v, item, doc);
    });
  }
  doc->has_event = true;
  return ReadEvent(value, at, &doc->event);
}

// ---- Mapping.

struct Mapping {
  bool engagement = false;
  v1::EmailEngagement::Kind kind = v1::EmailEngagement::KIND_UNSPECIFIED;
  v1::ConsentChange::State state = v1::ConsentChange::STATE_UNSPECIFIED;
};

std::optional<Mapping> MapMetric(absl::string_view metric) {
  using E = v1::EmailEngagement;
  using C = v1::ConsentChange;
  static constexpr std::pair<absl::string_view, E::Kind> kEngagements[] = {
      {"Received Email", E::DELIVERED},
      {"Opened Email", E::OPENED},
      {"Clicked Email", E::CLICKED},
      {"Bounced Email", E::BOUNCED},
      {"Dropped Email", E::DROPPED},
      {"Marked Email as Spam", E::SPAM_COMPLAINT}};
  static constexpr std::pair<absl::string_view, C::State> kConsents[] = {
      {"Unsubscribed", C::UNSUBSCRIBED},
      {"Unsubscribed from Email Marketing", C::UNSUBSCRIBED},
      {"Unsubscribed from List", C::UNSUBSCRIBED},
      {"Subscribed to Email Marketing", C::SUBSCRIBED},
      {"Subscribed to List", C::SUBSCRIBED}};
  for (const auto& [name, kind] : kEngagements) {
    if (metric == name) return Mapping{true, kind, C::STATE_UNSPECIFIED};
  }
  for (const auto& [name, state] : kConsents) {
    if (metric == name) return Mapping{false, E::KIND_UNSPECIFIED, state};
  }
  return std::nullopt;
}

void Fill(std::string* into, const std::string& from) {
  if (into->empty()) *into = from;
}

// The event's profile: inline attributes first, then the included profile
// it refers to (or the only one included).
Profile ResolveProfile(const Document& doc, const EventParts& ev) {
  Profile p = ev.profile;
  std::string id = !ev.profile_id.empty() ? ev.profile_id : ev.profile.id;
  for (const auto& inc : doc.profiles) {
    bool match = id.empty() ? doc.profiles.size() == 1 : inc.id == id;
    if (!match) continue;
    Fill(&p.id, inc.id);
    Fill(&p.email, inc.email);
    Fill(&p.phone, inc.phone);
    Fill(&p.first_name, inc.first_name);
    Fill(&p.last_name, inc.last_name);
  }
  Fill(&p.id, id);
  return p;
}

std::string ResolveMetric(const Document& doc, const EventParts& ev,
                          const Document& top, absl::string_view header) {
  if (!ev.metric.empty()) return ev.metric;
  for (const auto& [id, name] : doc.metrics) {
    bool match =
        ev.metric_id.empty() ? doc.metrics.size() == 1 : id == ev.metric_id;
    if (match && !name.empty()) return name;
  }
  if (!doc.metric.empty()) return doc.metric;
  if (!top.metric.empty()) return top.metric;
  return std::string(header);
}

absl::StatusOr<v1::Event> BuildEvent(const Document& doc,
                                     const std::string& external_id,
                                     const Document& top, const RawRecord& r,
                                     const DecodeOptions& options,
                                     absl::string_view prefix) {
  const EventParts& ev = doc.event;
  std::string metric = ResolveMetric(doc, ev, top, r.event_type);
  std::string metric_field = absl::StrCat(prefix, "metric");
  if (metric.empty()) return Missing(metric_field);
  auto mapping = MapMetric(metric);
  if (!mapping) {
    return InvalidValue(metric_field, metric, "a supported Klaviyo metric");
  }
  Micros when = 0;
  std::string time_field = absl::StrCat(prefix, "data.attributes.datetime");
  if (!ev.datetime.empty()) {
    auto t = ParseWebhookTime(ev.datetime, time_field);
    if (!t.ok()) return t.status();
    when = *t;
  } else if (ev.timestamp) {
    when = *ev.timestamp;
  } else {
    return Missing(time_field);
  }

  v1::Event e;
  e.set_source("klaviyo");
  // The header names the record's one event; an envelope's events are
  // each named by their own metric.
  bool single = top.items.empty();
  e.set_event_type(single && !r.event_type.empty() ? std::string(r.event_type)
                                                   : metric);
  e.set_event_id(!ev.id.empty() ? ev.id : external_id);
  e.set_occurred_at(FormatRfc3339(when));

  Profile profile = ResolveProfile(doc, ev);
  // An unparseable phone is left out; the email or profile id remain.
  AddIdentifiers(
      !profile.email.empty() ? profile.email : ev.property_email,
      PhoneOrEmpty(!profile.phone.empty() ? profile.phone : ev.property_phone,
                   options.default_phone_region),
      "klaviyo", profile.id, &e);
  e.set_first_name(profile.first_name);
  e.set_last_name(profile.last_name);

  if (mapping->engagement) {
    v1::EmailEngagement* eng = e.mutable_email();
    eng->set_kind(mapping->kind);
    eng->set_message_id(ev.message_id);
    eng->set_campaign(ev.campaign);
    if (mapping->kind == v1::EmailEngagement::CLICKED) eng->set_url(ev.url);
  } else {
    e.mutable_consent()->set_state(mapping->state);
    e.mutable_consent()->set_reason(metric);
  }
  return e;
}

}  // namespace

absl::StatusOr<std::vector<v1::Event>> DecodeKlaviyo(
    const RawRecord& r, const DecodeOptions& options) {
  Document top;
  absl::Status s = VisitBody(r.body, [&](absl::string_view key, JsonValue& v) {
    return DocumentField("", key, v, &top);
  });
  if (!s.ok()) return s;

  std::vector<v1::Event> out;
  if (top.items.empty()) {
    if (!top.has_event) return Missing("data");
    auto e = BuildEvent(top, "", top, r, options, "");
    if (!e.ok()) return e.status();
    out.push_back(std::move(*e));
    return out;
  }
  for (size_t i = 0; i < top.items.size(); ++i) {
    const auto& [external_id, item] = top.items[i];
    auto e = BuildEvent(item, external_id, top, r, options,
                        absl::StrCat("data[", i, "].payload."));
    if (!e.ok()) return e.status();
    out.push_back(std::move(*e));
  }
  return out;
}

}  // namespace custhub::connectors
