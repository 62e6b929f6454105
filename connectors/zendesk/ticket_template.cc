#include "connectors/zendesk/ticket_template.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "connectors/common/json_fields.h"
#include "connectors/common/normalize.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace v1 = custhub::v1;

constexpr absl::string_view kEventTypes[] = {
    "ticket.created", "ticket.updated", "ticket.solved", "satisfaction.rated"};

// Tags: Zendesk renders {{ticket.tags}} as one space-separated string; an
// array of strings is accepted too. Commas also separate, as some help desks
// render lists that way.
absl::Status ReadTags(JsonValue& v, std::vector<std::string>* tags) {
  auto type = TypeOf(v, "tags");
  if (!type.ok()) return type.status();
  std::vector<std::string> raw;
  absl::Status s;
  if (*type == JsonType::array) {
    s = VisitArray(v, "tags", [&](absl::string_view path, JsonValue& item) {
      return ReadString(item, path, &raw.emplace_back());
    });
  } else {
    s = ReadString(v, "tags", &raw.emplace_back());
  }
  if (!s.ok()) return s;
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
  std::optional<std::string> ticket_id;
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
  TemplateFields f;
  absl::Status s = VisitBody(body, [&](absl::string_view key, JsonValue& v) {
    if (key == "ticket_id") return ReadId(v, "ticket_id", &f.ticket_id);
    if (key == "tags") return ReadTags(v, &f.tags);
    for (const auto& [name, member] : kStringFields) {
      if (key == name) return ReadString(v, name, &(f.*member));
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
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

// The time a placeholder rendered, absent when it rendered empty.
absl::StatusOr<std::optional<Micros>> TemplateTime(absl::string_view text,
                                                   absl::string_view field) {
  if (absl::StripAsciiWhitespace(text).empty()) return std::nullopt;
  auto t = ParseWebhookTime(text, field);
  if (!t.ok()) return t.status();
  return std::optional<Micros>(*t);
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
    return UnknownEventType(source, r.event_type);
  }
  auto parsed = ParseTemplate(r.body);
  if (!parsed.ok()) return parsed.status();
  TemplateFields& f = *parsed;

  std::string ticket_id = FirstNonEmpty({&f.ticket_id});
  if (ticket_id.empty()) return Missing("ticket_id");
  auto created_at = TemplateTime(f.created_at, "created_at");
  if (!created_at.ok()) return created_at.status();
  auto updated_at = TemplateTime(f.updated_at, "updated_at");
  if (!updated_at.ok()) return updated_at.status();

  v1::Event e = NewEvent(source, r);
  // The change that fired the trigger happened at updated_at; a template
  // without times falls back to the record's own timestamp.
  e.set_occurred_at(OccurredAt({&*updated_at, &*created_at}, r));
  if (e.occurred_at().empty()) {
    return absl::InvalidArgumentError(
        "updated_at: missing, and so are created_at and the record timestamp");
  }
  // An unparseable phone is dropped: the email or external id still
  // identify the requester, and ValidateEvent fails if nothing does.
  AddIdentifiers(f.requester_email,
                 PhoneOrEmpty(f.requester_phone, options.default_phone_region),
                 source, absl::StripAsciiWhitespace(f.requester_external_id),
                 &e);

  v1::Ticket* t = e.mutable_ticket();
  t->set_ticket_id(ticket_id);
  t->set_status(NormalizeStatus(f.status, r.event_type));
  t->set_subject(std::string(absl::StripAsciiWhitespace(f.subject)));
  t->set_priority(Lower(f.priority));
  t->set_satisfaction(NormalizeSatisfaction(f.satisfaction));
  t->set_created_at(TimeOrEmpty(*created_at));
  t->set_updated_at(TimeOrEmpty(*updated_at));
  for (auto& tag : f.tags) t->add_tags(std::move(tag));

  std::vector<v1::Event> out;
  out.push_back(std::move(e));
  return out;
}

}  // namespace custhub::connectors
