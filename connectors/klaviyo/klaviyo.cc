#include "connectors/klaviyo/klaviyo.h"

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

// ---- JSON reading (simdjson On-Demand: every value is read once, in order).

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

absl::Status WrongType(absl::string_view path, absl::string_view expected,
                       od::json_type got) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": expected ", expected, ", got ", TypeName(got)));
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

// A string; null leaves `out` as it is.
absl::Status ReadString(od::value& v, absl::string_view path,
                        std::string* out) {
  auto type = TypeOf(v);
  if (!type.ok()) return type.status();
  if (*type == od::json_type::null) return absl::OkStatus();
  if (*type != od::json_type::string) return WrongType(path, "a string", *type);
  std::string_view s;
  if (auto e = v.get_string().get(s)) return Malformed(e);
  out->assign(s.data(), s.size());
  return absl::OkStatus();
}

// Calls fn(key, value) for each field of the object `v`; null is an empty
// object.
template <typename Fn>
absl::Status ForEachField(od::value& v, absl::string_view path, Fn&& fn) {
  auto type = TypeOf(v);
  if (!type.ok()) return type.status();
  if (*type == od::json_type::null) return absl::OkStatus();
  if (*type != od::json_type::object) {
    return WrongType(path, "an object", *type);
  }
  od::object object;
  if (auto e = v.get_object().get(object)) return Malformed(e);
  for (auto field_result : object) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return Malformed(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return Malformed(e);
    absl::Status s =
        fn(absl::string_view(key.data(), key.size()), field.value());
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// Calls fn(index, value) for each element of the array `v`; null is empty.
template <typename Fn>
absl::Status ForEachElement(od::value& v, absl::string_view path, Fn&& fn) {
  auto type = TypeOf(v);
  if (!type.ok()) return type.status();
  if (*type == od::json_type::null) return absl::OkStatus();
  if (*type != od::json_type::array) return WrongType(path, "an array", *type);
  od::array array;
  if (auto e = v.get_array().get(array)) return Malformed(e);
  size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    if (auto e = std::move(element_result).get(element)) return Malformed(e);
    absl::Status s = fn(index++, element);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

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
absl::Status ReadResource(od::value& v, absl::string_view path,
                          std::string* type, std::string* id, std::string* name,
                          Profile* profile) {
  return ForEachField(v, path, [&](absl::string_view key, od::value& value) {
    std::string at = absl::StrCat(path, ".", key);
    if (key == "type") return ReadString(value, at, type);
    if (key == "id") return ReadString(value, at, id);
    if (key != "attributes") return absl::OkStatus();
    return ForEachField(value, at, [&](absl::string_view k, od::value& a) {
      std::string attr = absl::StrCat(at, ".", k);
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
absl::Status ReadReference(od::value& v, absl::string_view path,
                           std::string* id, std::string* name,
                           Profile* profile) {
  return ForEachField(v, path, [&](absl::string_view key, od::value& value) {
    if (key == "name")
      return ReadString(value, absl::StrCat(path, ".name"), name);
    if (key != "data") return absl::OkStatus();
    std::string type;
    return ReadResource(value, absl::StrCat(path, ".data"), &type, id, name,
                        profile);
  });
}

absl::Status ReadTimestamp(od::value& v, absl::string_view path,
                           std::optional<Micros>* out) {
  auto type = TypeOf(v);
  if (!type.ok()) return type.status();
  std::string token;
  if (*type == od::json_type::null) return absl::OkStatus();
  if (*type == od::json_type::number) {
    std::string_view raw = v.raw_json_token();
    token = std::string(
        absl::StripAsciiWhitespace(absl::string_view(raw.data(), raw.size())));
  } else if (*type == od::json_type::string) {
    if (auto s = ReadString(v, path, &token); !s.ok()) return s;
  } else {
    return WrongType(path, "Unix seconds", *type);
  }
  auto t = ParseWebhookTime(token, path);
  if (!t.ok()) return t.status();
  *out = *t;
  return absl::OkStatus();
}

absl::Status ReadProperties(od::value& v, absl::string_view path,
                            EventParts* ev) {
  return ForEachField(v, path, [&](absl::string_view key, od::value& value) {
    std::string* target = nullptr;
    if (key == "URL" || key == "url") target = &ev->url;
    if (key == "$message") target = &ev->message_id;
    if (key == "Campaign Name") target = &ev->campaign;
    if (key == "$email" || key == "email") target = &ev->property_email;
    if (key == "$phone_number") target = &ev->property_phone;
    if (target == nullptr) return absl::OkStatus();
    auto type = TypeOf(value);
    if (!type.ok()) return type.status();
    if (*type != od::json_type::string) return absl::OkStatus();
    return ReadString(value, absl::StrCat(path, ".", key), target);
  });
}

absl::Status ReadAttributes(od::value& v, absl::string_view path,
                            EventParts* ev) {
  return ForEachField(v, path, [&](absl::string_view key, od::value& value) {
    std::string at = absl::StrCat(path, ".", key);
    if (key == "datetime") return ReadString(value, at, &ev->datetime);
    if (key == "timestamp" || key == "time") {
      // `time` is the Create Event API's name; it may be ISO 8601 too.
      auto type = TypeOf(value);
      if (!type.ok()) return type.status();
      if (key == "time" && *type == od::json_type::string) {
        return ReadString(value, at, &ev->datetime);
      }
      return ReadTimestamp(value, at, &ev->timestamp);
    }
    if (key == "event_properties" || key == "properties") {
      return ReadProperties(value, at, ev);
    }
    if (key == "metric") {
      auto type = TypeOf(value);
      if (!type.ok()) return type.status();
      if (*type == od::json_type::string) {
        return ReadString(value, at, &ev->metric);
      }
      Profile unused;
      return ReadReference(value, at, &ev->metric_id, &ev->metric, &unused);
    }
    if (key == "profile") {
      std::string unused_name;
      return ReadReference(value, at, &ev->profile.id, &unused_name,
                           &ev->profile);
    }
    return absl::OkStatus();
  });
}

absl::Status ReadEvent(od::value& v, absl::string_view path, EventParts* ev) {
  return ForEachField(v, path, [&](absl::string_view key, od::value& value) {
    std::string at = absl::StrCat(path, ".", key);
    if (key == "id") return ReadString(value, at, &ev->id);
    if (key == "attributes") return ReadAttributes(value, at, ev);
    if (key != "relationships") return absl::OkStatus();
    return ForEachField(value, at, [&](absl::string_view rel, od::value& r) {
      std::string rat = absl::StrCat(at, ".", rel);
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

absl::Status ReadIncluded(od::value& v, absl::string_view path, Document* doc) {
  return ForEachElement(v, path, [&](size_t i, od::value& element) {
    std::string type, id, name;
    Profile profile;
    auto s = ReadResource(element, absl::StrCat(path, "[", i, "]"), &type, &id,
                          &name, &profile);
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

absl::Status ReadDocument(od::value& v, absl::string_view prefix,
                          Document* doc);

// One system-webhook item: {"topic", "external_id", "payload"}.
absl::Status ReadEnvelopeItem(od::value& v, absl::string_view path,
                              Document* doc) {
  std::string external_id;
  Document payload;
  auto s = ForEachField(v, path, [&](absl::string_view key, od::value& value) {
    std::string at = absl::StrCat(path, ".", key);
    if (key == "external_id") return ReadString(value, at, &external_id);
    if (key == "payload") return ReadDocument(value, at + ".", &payload);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!payload.has_event) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".payload: missing"));
  }
  doc->items.emplace_back(std::move(external_id), std::move(payload));
  return absl::OkStatus();
}

// `prefix` is "" at the top and "data[i].payload." inside an envelope.
absl::Status ReadDocument(od::value& v, absl::string_view prefix,
                          Document* doc) {
  std::string self = prefix.empty()
                         ? "body"
                         : std::string(prefix.substr(0, prefix.size() - 1));
  return ForEachField(v, self, [&](absl::string_view key, od::value& value) {
    std::string at = absl::StrCat(prefix, key);
    if (key == "included") return ReadIncluded(value, at, doc);
    if (key == "metric") {
      auto type = TypeOf(value);
      if (!type.ok()) return type.status();
      if (*type == od::json_type::string)
        return ReadString(value, at, &doc->metric);
      Profile unused;
      std::string unused_id;
      return ReadReference(value, at, &unused_id, &doc->metric, &unused);
    }
    if (key != "data") return absl::OkStatus();
    auto type = TypeOf(value);
    if (!type.ok()) return type.status();
    if (*type == od::json_type::null) return absl::OkStatus();
    if (*type == od::json_type::array && prefix.empty()) {
      return ForEachElement(value, at, [&](size_t i, od::value& item) {
        return ReadEnvelopeItem(item, absl::StrCat(at, "[", i, "]"), doc);
      });
    }
    doc->has_event = true;
    return ReadEvent(value, at, &doc->event);
  });
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
  if (metric.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, "metric: missing"));
  }
  auto mapping = MapMetric(metric);
  if (!mapping) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, "metric: '", absl::CHexEscape(metric.substr(0, 64)),
        "' is not a supported Klaviyo metric"));
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
    return absl::InvalidArgumentError(absl::StrCat(time_field, ": missing"));
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
  v1::Identifiers* ids = e.mutable_identifiers();
  std::string email =
      !profile.email.empty() ? profile.email : ev.property_email;
  if (!absl::StripAsciiWhitespace(email).empty()) ids->add_emails(email);
  std::string phone =
      !profile.phone.empty() ? profile.phone : ev.property_phone;
  if (!absl::StripAsciiWhitespace(phone).empty()) {
    auto e164 = PhoneToE164(phone, options.default_phone_region,
                            "profile.phone_number");
    // An unparseable phone is left out; the email or profile id remain.
    if (e164.ok()) ids->add_phones(*e164);
  }
  if (!profile.id.empty())
    (*ids->mutable_external_ids())["klaviyo"] = profile.id;
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
  simdjson::padded_string padded(r.body.data(), r.body.size());
  od::parser parser;
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return Malformed(e);
  od::json_type root;
  if (auto e = doc.type().get(root)) return Malformed(e);
  if (root != od::json_type::object) {
    return absl::InvalidArgumentError(
        absl::StrCat("body: expected a JSON object, got ", TypeName(root)));
  }
  od::value value;
  if (auto e = doc.get_value().get(value)) return Malformed(e);
  Document top;
  auto s = ReadDocument(value, "", &top);
  if (!s.ok()) return s;

  std::vector<v1::Event> out;
  if (top.items.empty()) {
    if (!top.has_event) return absl::InvalidArgumentError("data: missing");
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
