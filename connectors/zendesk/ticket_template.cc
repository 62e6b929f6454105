#include "connectors/zendesk/ticket_template.h"

#include <simdjson.h>

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "connectors/common/normalize.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace od = simdjson::ondemand;
namespace v1 = custhub::v1;

constexpr absl::string_view kEventTypes[] = {
    "ticket.created", "ticket.updated", "ticket.solved", "satisfaction.rated"};

absl::Status Malformed(simdjson::error_code e) {
  return absl::InvalidArgumentError(
      absl::StrCat("body: not valid JSON (", simdjson::error_message(e), ")"));
}

// A type mismatch names the field; any other simdjson error means the body
// itself is broken.
absl::Status JsonError(simdjson::error_code e, absl::string_view field) {
  if (e == simdjson::INCORRECT_TYPE) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": wrong JSON type"));
  }
  return Malformed(e);
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

absl::Status WrongType(absl::string_view field, absl::string_view expected,
                       od::json_type got) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": expected ", expected, ", got ", TypeName(got)));
}

// The JSON type of `v`; a null is checked to really be `null`.
absl::StatusOr<od::json_type> TypeOf(od::value& v, absl::string_view field) {
  od::json_type type;
  if (auto e = v.type().get(type)) return JsonError(e, field);
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

// Reads a template value: a string, or null (left empty). With
// `allow_integer` a non-negative JSON integer is taken too, in decimal.
absl::Status ReadString(od::value& v, absl::string_view field,
                        bool allow_integer, std::string* out) {
  auto type = TypeOf(v, field);
  if (!type.ok()) return type.status();
  switch (*type) {
    case od::json_type::null:
      out->clear();
      return absl::OkStatus();
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return JsonError(e, field);
      out->assign(s.data(), s.size());
      return absl::OkStatus();
    }
    case od::json_type::number:
      if (allow_integer) {
        uint64_t n = 0;
        if (v.get_uint64().get(n) != simdjson::SUCCESS) {
          return absl::InvalidArgumentError(
              absl::StrCat(field, ": not a non-negative integer"));
        }
        *out = absl::StrCat(n);
        return absl::OkStatus();
      }
      return WrongType(field, "a string", *type);
    default:
      return WrongType(
          field, allow_integer ? "a string or an integer" : "a string", *type);
  }
}

// Tags: Zendesk renders {{ticket.tags}} as one space-separated string; an
// array of strings is accepted too. Commas also separate, as some help desks
// render lists that way.
absl::Status ReadTags(od::value& v, std::vector<std::string>* tags) {
  auto type = TypeOf(v, "tags");
  if (!type.ok()) return type.status();
  std::vector<std::string> raw;
  if (*type == od::json_type::array) {
    od::array array;
    if (auto e = v.get_array().get(array)) return JsonError(e, "tags");
    size_t i = 0;
    for (auto element : array) {
      od::value item;
      std::string field = absl::StrCat("tags[", i++, "]");
      if (auto e = std::move(element).get(item)) return Malformed(e);
      std::string s;
      if (auto s_status = ReadString(item, field, false, &s); !s_status.ok()) {
        return s_status;
      }
      raw.push_back(std::move(s));
    }
  } else {
    std::string s;
    if (auto s_status = ReadString(v, "tags", false, &s); !s_status.ok()) {
      return s_status;
    }
    raw.push_back(std::move(s));
  }
  for (const auto& r : raw) {
    for (absl::string_view t :
         absl::StrSplit(r, absl::ByAnyChar(" ,\t\r\n"), absl::SkipEmpty())) {
      bool seen = false;
      for (const auto& have : *tags) seen = seen || have == t;
      if (!seen) tags->emplace_back(t);
    }
  }
  return absl::OkStatus();
}

// The template's values as rendered; absent and null are empty.
struct TemplateFields {
  std::string ticket_id;
  std::string status;
  std::string requester_email;
  std::string requester_phone;
  std::string requester_external_id;
  std::string subject;
  std::string priority;
  std::string satisfaction;
  std::vector<std::string> tags;
  std::string created_at;
  std::string updated_at;
};

constexpr std::pair<absl::string_view, std::string TemplateFields::*>
    kStringFields[] = {
        {"status", &TemplateFields::status},
        {"requester_email", &TemplateFields::requester_email},
        {"requester_phone", &TemplateFields::requester_phone},
        {"requester_external_id", &TemplateFields::requester_external_id},
        {"subject", &TemplateFields::subject},
        {"priority", &TemplateFields::priority},
        {"satisfaction", &TemplateFields::satisfaction},
        {"created_at", &TemplateFields::created_at},
        {"updated_at", &TemplateFields::updated_at},
};

absl::StatusOr<TemplateFields> ParseTemplate(absl::string_view body) {
  simdjson::padded_string padded(body.data(), body.size());
  od::parser parser;
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return Malformed(e);
  od::json_type root;
  if (auto e = doc.type().get(root)) return Malformed(e);
  if (root != od::json_type::object) {
    return absl::InvalidArgumentError(
        absl::StrCat("body: expected a JSON object, got ", TypeName(root)));
  }
  od::object object;
  if (auto e = doc.get_object().get(object)) return Malformed(e);
  TemplateFields f;
  for (auto field_result : object) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return Malformed(e);
    std::string_view key_view;
    if (auto e = field.unescaped_key().get(key_view)) return Malformed(e);
    absl::string_view key(key_view.data(), key_view.size());
    od::value value = field.value();
    absl::Status s;
    if (key == "ticket_id") {
      s = ReadString(value, "ticket_id", /*allow_integer=*/true, &f.ticket_id);
    } else if (key == "tags") {
      s = ReadTags(value, &f.tags);
    } else {
      for (const auto& [name, member] : kStringFields) {
        if (key == name) s = ReadString(value, name, false, &(f.*member));
      }
    }
    if (!s.ok()) return s;
  }
  return f;
}

std::string Lower(absl::string_view s) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(s));
}

// new, open, pending, hold, solved, closed. Zendesk renders the hold status
// as "On-hold".
std::string NormalizeStatus(absl::string_view raw,
                            absl::string_view event_type) {
  std::string s = Lower(raw);
  if (s == "on-hold" || s == "on hold" || s == "on_hold") s = "hold";
  if (s.empty() && event_type == "ticket.solved") s = "solved";
  if (s.empty() && event_type == "ticket.created") s = "open";
  return s;
}

// good, bad, offered or empty. Zendesk renders "Good", "Bad", "Offered",
// "Unoffered", and in some places "Good with comment": the prefix decides.
// Anything else (a localised label) is left empty rather than failing the
// whole ticket.
std::string NormalizeSatisfaction(absl::string_view raw) {
  std::string s = Lower(raw);
  if (absl::StartsWith(s, "good")) return "good";
  if (absl::StartsWith(s, "bad")) return "bad";
  if (s == "offered") return "offered";
  return "";
}

// RFC 3339 in UTC, or empty when the placeholder rendered empty.
absl::StatusOr<std::string> NormalTime(absl::string_view text,
                                       absl::string_view field) {
  if (absl::StripAsciiWhitespace(text).empty()) return std::string();
  auto t = ParseWebhookTime(text, field);
  if (!t.ok()) return t.status();
  return FormatRfc3339(*t);
}

}  // namespace

bool IsTicketEventType(absl::string_view event_type) {
  for (auto t : kEventTypes) {
    if (t == event_type) return true;
  }
  return false;
}

absl::StatusOr<std::vector<v1::Event>> DecodeTicketTemplate(
    const RawRecord& r, const DecodeOptions& options,
    absl::string_view source) {
  if (!IsTicketEventType(r.event_type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event-type: '", absl::CHexEscape(r.event_type.substr(0, 64)),
        "' is not a ", source, " event type"));
  }
  auto parsed = ParseTemplate(r.body);
  if (!parsed.ok()) return parsed.status();
  TemplateFields& f = *parsed;

  std::string ticket_id(absl::StripAsciiWhitespace(f.ticket_id));
  if (ticket_id.empty()) {
    return absl::InvalidArgumentError("ticket_id: missing");
  }
  auto created_at = NormalTime(f.created_at, "created_at");
  if (!created_at.ok()) return created_at.status();
  auto updated_at = NormalTime(f.updated_at, "updated_at");
  if (!updated_at.ok()) return updated_at.status();

  v1::Event e;
  e.set_source(std::string(source));
  e.set_event_type(std::string(r.event_type));
  // The change that fired the trigger happened at updated_at; a template
  // without times falls back to the record's own timestamp.
  if (!updated_at->empty()) {
    e.set_occurred_at(*updated_at);
  } else if (!created_at->empty()) {
    e.set_occurred_at(*created_at);
  } else if (r.timestamp_ms >= 0) {
    e.set_occurred_at(FormatRfc3339(r.timestamp_ms * 1000));
  } else {
    return absl::InvalidArgumentError(
        "updated_at: missing, and so are created_at and the record timestamp");
  }

  v1::Identifiers* ids = e.mutable_identifiers();
  if (!absl::StripAsciiWhitespace(f.requester_email).empty()) {
    ids->add_emails(f.requester_email);
  }
  if (!absl::StripAsciiWhitespace(f.requester_phone).empty()) {
    auto phone = PhoneToE164(f.requester_phone, options.default_phone_region,
                             "requester_phone");
    // An unparseable phone is dropped: the email or external id still
    // identify the requester, and ValidateEvent fails if nothing does.
    if (phone.ok()) ids->add_phones(*phone);
  }
  std::string external_id(absl::StripAsciiWhitespace(f.requester_external_id));
  if (!external_id.empty()) {
    (*ids->mutable_external_ids())[std::string(source)] = external_id;
  }

  v1::Ticket* t = e.mutable_ticket();
  t->set_ticket_id(ticket_id);
  t->set_status(NormalizeStatus(f.status, r.event_type));
  t->set_subject(std::string(absl::StripAsciiWhitespace(f.subject)));
  t->set_priority(Lower(f.priority));
  t->set_satisfaction(NormalizeSatisfaction(f.satisfaction));
  t->set_created_at(*created_at);
  t->set_updated_at(*updated_at);
  for (auto& tag : f.tags) t->add_tags(std::move(tag));

  std::vector<v1::Event> out;
  out.push_back(std::move(e));
  return out;
}

}  // namespace custhub::connectors
