#include "connectors/gorgias/gorgias.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/connectors/fixtures.h"

using custhub::connectors::DecodeGorgias;
using namespace custhub::connector_test;

TEST_CASE("a Gorgias body decodes through the shared ticket template",
          "[connectors][gorgias]") {
  struct Case {
    const char* fixture;
    const char* event_type;
    const char* ticket_id;
    const char* status;
    const char* satisfaction;
    std::vector<std::string> tags;
    const char* occurred_at;
    const char* phone;
  };
  const std::vector<Case> cases = {
      {"gorgias/ticket_created.json",
       "ticket.created",
       "51122",
       "open",
       "",
       {"damaged", "refund"},
       "2024-06-10T14:20:00Z",
       "+12125550199"},
      {"gorgias/ticket_solved.json",
       "ticket.solved",
       "51122",
       "closed",
       "",
       {"damaged", "refund", "resolved"},
       "2024-06-11T09:00:00Z",
       ""},
      {"gorgias/satisfaction_rated.json",
       "satisfaction.rated",
       "51122",
       "closed",
       "bad",
       {},
       "2024-06-12T11:15:00Z",
       ""},
  };
  for (const auto& c : cases) {
    INFO(c.fixture << " as " << c.event_type);
    std::string body = ReadFixture(c.fixture);
    auto events = DecodeGorgias(Record(body, "gorgias", c.event_type), {});
    REQUIRE(events.ok());
    REQUIRE(events->size() == 1);
    REQUIRE(ValidateAll(&*events).ok());
    const auto& e = events->front();
    CHECK(e.source() == "gorgias");
    CHECK(e.event_type() == c.event_type);
    CHECK(e.occurred_at() == c.occurred_at);
    CHECK(e.ticket().ticket_id() == c.ticket_id);
    CHECK(e.ticket().status() == c.status);
    CHECK(e.ticket().satisfaction() == c.satisfaction);
    CHECK(e.ticket().subject() == "Damaged item on arrival");
    CHECK(Tags(e.ticket()) == c.tags);
    CHECK(e.identifiers().emails(0) == "sam.taylor@example.com");
    if (std::string(c.phone).empty()) {
      CHECK(e.identifiers().phones_size() == 0);
    } else {
      REQUIRE(e.identifiers().phones_size() == 1);
      CHECK(e.identifiers().phones(0) == c.phone);
    }
    // The requester's id is keyed by the source, never as "zendesk".
    const auto& ext = e.identifiers().external_ids();
    REQUIRE(ext.size() == 1);
    CHECK(ext.at("gorgias") == "gorgias-cust-3301");
  }
}

TEST_CASE("a Gorgias subject with accents and dashes passes through intact",
          "[connectors][gorgias]") {
  std::string body = ReadFixture("gorgias/unicode.json");
  auto events = DecodeGorgias(Record(body, "gorgias", "ticket.updated"), {});
  REQUIRE(events.ok());
  REQUIRE(ValidateAll(&*events).ok());
  const auto& e = events->front();
  CHECK(e.ticket().subject() ==
        "Pedido no recibido \u2014 se\u00f1or Jos\u00e9 \u00d1\u00fa\u00f1ez");
  CHECK(Tags(e.ticket()) == std::vector<std::string>{"env\u00edo"});
  CHECK(e.occurred_at() == "2024-06-13T09:05:00Z");
  CHECK(e.identifiers().external_ids().at("gorgias") == "g-77");
}

TEST_CASE("bad Gorgias records name the field and the gorgias source",
          "[connectors][gorgias]") {
  std::string created = ReadFixture("gorgias/ticket_created.json");
  auto unknown = DecodeGorgias(Record(created, "gorgias", "ticket.merged"), {});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() ==
        "event-type: 'ticket.merged' is not a gorgias event type");

  std::string tags = ReadFixture("gorgias/wrong_type_tags.json");
  auto wrong = DecodeGorgias(Record(tags, "gorgias", "ticket.updated"), {});
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().message() == "tags[1]: expected a string, got a number");

  std::string not_object = ReadFixture("gorgias/not_object.json");
  auto array =
      DecodeGorgias(Record(not_object, "gorgias", "ticket.updated"), {});
  REQUIRE_FALSE(array.ok());
  CHECK(StartOf(array.status().message(), 5) == "body:");
}
