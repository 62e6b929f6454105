#include "connectors/zendesk/zendesk.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/connectors/fixtures.h"

using custhub::connectors::DecodeOptions;
using custhub::connectors::DecodeZendesk;
using namespace custhub::connector_test;

namespace {

struct TicketCase {
  const char* fixture;
  const char* event_type;
  const char* region;
  const char* ticket_id;
  const char* status;
  const char* subject;
  const char* priority;
  const char* satisfaction;
  std::vector<std::string> tags;
  const char* created_at;
  const char* updated_at;
  const char* occurred_at;
  const char* email;  // after validation: trimmed, lower-cased
  const char* phone;  // E.164 or empty
  const char* external_id;
};

const std::vector<TicketCase>& TicketCases() {
  static const std::vector<TicketCase> cases = {
      {"zendesk/ticket_created.json",
       "ticket.created",
       "US",
       "35436",
       "new",
       "Where is my order #1001?",
       "normal",
       "",
       {"shipping", "order_status"},
       "2024-05-01T10:00:00Z",
       "2024-05-01T10:00:00Z",
       "2024-05-01T10:00:00Z",
       "ann.lee@example.com",
       "+14155550100",
       "crm-8812"},
      {"zendesk/ticket_updated.json",
       "ticket.updated",
       "US",
       "35436",
       "hold",
       "Where is my order #1001?",
       "high",
       "offered",
       {"shipping", "order_status", "vip"},
       "2024-05-01T10:00:00Z",
       "2024-05-02T07:30:00Z",
       "2024-05-02T07:30:00Z",
       "ann.lee@example.com",
       "+442079460958",
       "crm-8812"},
      {"zendesk/ticket_solved_empty_placeholders.json",
       "ticket.solved",
       "US",
       "35437",
       "solved",
       "",
       "",
       "",
       {},
       "",
       "2024-05-03T16:45:10Z",
       "2024-05-03T16:45:10Z",
       "bob@example.org",
       "",
       ""},
      {"zendesk/satisfaction_rated.json",
       "satisfaction.rated",
       "US",
       "35436",
       "solved",
       "Where is my order #1001?",
       "normal",
       "good",
       {"shipping"},
       "2024-05-01T10:00:00Z",
       "2024-05-04T08:00:00Z",
       "2024-05-04T08:00:00Z",
       "ann.lee@example.com",
       "",
       "crm-8812"},
      {"zendesk/numeric_ticket_id.json",
       "ticket.updated",
       "US",
       "98765",
       "open",
       "Numeric id",
       "low",
       "bad",
       {},
       "2024-05-05T12:00:00Z",
       "2024-05-05T12:05:00Z",
       "2024-05-05T12:05:00Z",
       "carol@example.net",
       "",
       ""},
      {"zendesk/unicode.json",
       "ticket.created",
       "DE",
       "40001",
       "open",
       "R\u00fcckerstattung f\u00fcr Bestellung \u2014 \u6ce8\u6587 #1001 "
       "\U0001F4E6",
       "urgent",
       "",
       {"r\u00fcckgabe"},
       "2024-05-06T06:00:00Z",
       "2024-05-06T06:00:00Z",
       "2024-05-06T06:00:00Z",
       "zoe@example.de",
       "+49301234567",
       "kunde-\u00e4\u00f6\u00fc"},
      {"zendesk/nulls.json",
       "ticket.updated",
       "US",
       "35440",
       "",
       "",
       "",
       "",
       {},
       "2024-05-07T10:00:00Z",
       "",
       "2024-05-07T10:00:00Z",
       "dave@example.com",
       "",
       ""},
      {"zendesk/unparseable_phone.json",
       "ticket.created",
       "US",
       "35441",
       "open",
       "Phone",
       "",
       "",
       {},
       "2024-05-08T10:00:00Z",
       "2024-05-08T10:00:00Z",
       "2024-05-08T10:00:00Z",
       "erin@example.com",
       "",
       ""},
  };
  return cases;
}

}  // namespace

TEST_CASE("a Zendesk template becomes one validated Ticket event",
          "[connectors][zendesk]") {
  for (const auto& c : TicketCases()) {
    INFO(c.fixture << " as " << c.event_type);
    std::string body = ReadFixture(c.fixture);
    DecodeOptions options;
    options.default_phone_region = c.region;
    auto events = DecodeZendesk(Record(body, "zendesk", c.event_type), options);
    REQUIRE(events.ok());
    REQUIRE(events->size() == 1);
    auto& e = events->front();
    CHECK(e.event_id().empty());  // decode.cc fills it from the header
    REQUIRE(ValidateAll(&*events).ok());
    CHECK(e.source() == "zendesk");
    CHECK(e.event_type() == c.event_type);
    CHECK(e.occurred_at() == c.occurred_at);
    REQUIRE(e.has_ticket());
    const auto& t = e.ticket();
    CHECK(t.ticket_id() == c.ticket_id);
    CHECK(t.status() == c.status);
    CHECK(t.subject() == c.subject);
    CHECK(t.priority() == c.priority);
    CHECK(t.satisfaction() == c.satisfaction);
    CHECK(Tags(t) == c.tags);
    CHECK(t.created_at() == c.created_at);
    CHECK(t.updated_at() == c.updated_at);
    REQUIRE(e.identifiers().emails_size() == 1);
    CHECK(e.identifiers().emails(0) == c.email);
    if (std::string(c.phone).empty()) {
      CHECK(e.identifiers().phones_size() == 0);
    } else {
      REQUIRE(e.identifiers().phones_size() == 1);
      CHECK(e.identifiers().phones(0) == c.phone);
    }
    const auto& ext = e.identifiers().external_ids();
    if (std::string(c.external_id).empty()) {
      CHECK(ext.empty());
    } else {
      REQUIRE(ext.count("zendesk") == 1);
      CHECK(ext.at("zendesk") == c.external_id);
      CHECK(ext.size() == 1);
    }
  }
}

TEST_CASE("an empty status defaults by event type: open when created",
          "[connectors][zendesk]") {
  std::string body =
      ReadFixture("zendesk/ticket_solved_empty_placeholders.json");
  auto created = DecodeZendesk(Record(body, "zendesk", "ticket.created"), {});
  REQUIRE(created.ok());
  CHECK(created->front().ticket().status() == "open");
  auto updated = DecodeZendesk(Record(body, "zendesk", "ticket.updated"), {});
  REQUIRE(updated.ok());
  CHECK(updated->front().ticket().status().empty());
}

TEST_CASE("a template without times takes the record's timestamp",
          "[connectors][zendesk]") {
  std::string body =
      R"({"ticket_id": "7", "requester_email": "a@example.com",
          "created_at": "", "updated_at": null})";
  auto r = Record(body, "zendesk", "ticket.updated");
  r.timestamp_ms = 1714557600123;
  auto events = DecodeZendesk(r, {});
  REQUIRE(events.ok());
  CHECK(events->front().occurred_at() == "2024-05-01T10:00:00.123000Z");
  r.timestamp_ms = -1;
  auto none = DecodeZendesk(r, {});
  REQUIRE_FALSE(none.ok());
  CHECK(StartOf(none.status().message(), 11) == "updated_at:");
}

TEST_CASE("bad Zendesk records fail with an error that names the field",
          "[connectors][zendesk]") {
  struct ErrorCase {
    const char* fixture;
    const char* event_type;
    const char* message_start;
  };
  const ErrorCase cases[] = {
      {"zendesk/ticket_created.json", "ticket.deleted",
       "event-type: 'ticket.deleted' is not a zendesk event type"},
      {"zendesk/missing_ticket_id.json", "ticket.created",
       "ticket_id: missing"},
      {"zendesk/wrong_type_status.json", "ticket.updated",
       "status: expected a string, got a number"},
      {"zendesk/wrong_type_ticket_id.json", "ticket.updated",
       "ticket_id: expected a string or an integer, got an object"},
      {"zendesk/bad_time.json", "ticket.updated", "updated_at:"},
      {"zendesk/malformed.json", "ticket.updated", "body: not valid JSON"},
      {"gorgias/not_object.json", "ticket.updated",
       "body: expected a JSON object, got an array"},
  };
  for (const auto& c : cases) {
    INFO(c.fixture << " as " << c.event_type);
    std::string body = ReadFixture(c.fixture);
    auto events = DecodeZendesk(Record(body, "zendesk", c.event_type), {});
    REQUIRE_FALSE(events.ok());
    CHECK(events.status().code() == absl::StatusCode::kInvalidArgument);
    std::string expected = c.message_start;
    CHECK(StartOf(events.status().message(), expected.size()) == expected);
  }
}

TEST_CASE("a Zendesk ticket without any requester identifier fails validation",
          "[connectors][zendesk]") {
  std::string body = ReadFixture("zendesk/no_requester.json");
  auto events = DecodeZendesk(Record(body, "zendesk", "ticket.created"), {});
  REQUIRE(events.ok());
  auto s = ValidateAll(&*events);
  REQUIRE_FALSE(s.ok());
  CHECK(StartOf(s.message(), 12) == "identifiers:");
}
