#include "connectors/sendgrid/sendgrid.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/connectors/fixtures.h"

using custhub::connectors::DecodeSendGrid;
using custhub::v1::ConsentChange;
using custhub::v1::EmailEngagement;
using custhub::v1::Event;
using namespace custhub::connector_test;

namespace {

constexpr const char* kMessage =
    "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0";

struct Expected {
  const char* event_type;
  const char* event_id;
  const char* occurred_at;
  const char* email;
  // Exactly one of these is set.
  EmailEngagement::Kind kind;
  ConsentChange::State state;
};

}  // namespace

TEST_CASE("a SendGrid batch becomes one event per element with its sg_event_id",
          "[connectors][sendgrid]") {
  std::string body = ReadFixture("sendgrid/batch_mixed.json");
  auto events = DecodeSendGrid(Record(body, "sendgrid"), {});
  REQUIRE(events.ok());
  using E = EmailEngagement;
  using C = ConsentChange;
  const std::vector<Expected> expected = {
      // processed and deferred (elements 0 and 1) carry no engagement.
      {"delivered", "ZGVsaXZlcmVkLTEyMzQ1", "2024-05-01T10:00:05Z",
       "ann.lee@example.com", E::DELIVERED, C::STATE_UNSPECIFIED},
      {"open", "b3Blbi0xMjM0NQ", "2024-05-01T11:00:00Z", "ann.lee@example.com",
       E::OPENED, C::STATE_UNSPECIFIED},
      {"click", "Y2xpY2stMTIzNDU", "2024-05-01T11:01:00Z",
       "ann.lee@example.com", E::CLICKED, C::STATE_UNSPECIFIED},
      {"bounce", "Ym91bmNlLTEyMzQ1", "2024-05-01T10:01:40Z",
       "bounce@example.org", E::BOUNCED, C::STATE_UNSPECIFIED},
      {"dropped", "ZHJvcHBlZC0xMjM0NQ", "2024-05-01T10:01:50Z",
       "dropped@example.org", E::DROPPED, C::STATE_UNSPECIFIED},
      {"spamreport", "c3BhbXJlcG9ydC0xMjM0NQ", "2024-05-02T11:00:00Z",
       "ann.lee@example.com", E::SPAM_COMPLAINT, C::STATE_UNSPECIFIED},
      {"unsubscribe", "dW5zdWJzY3JpYmUtMTIzNDU", "2024-05-02T12:00:00Z",
       "carol@example.net", E::KIND_UNSPECIFIED, C::UNSUBSCRIBED},
      {"group_unsubscribe", "Z3JvdXBfdW5zdWJzY3JpYmUtMTIzNDU",
       "2024-05-02T12:01:00Z", "carol@example.net", E::KIND_UNSPECIFIED,
       C::UNSUBSCRIBED},
      {"group_resubscribe", "Z3JvdXBfcmVzdWJzY3JpYmUtMTIzNDU",
       "2024-05-03T12:00:00Z", "carol@example.net", E::KIND_UNSPECIFIED,
       C::SUBSCRIBED},
  };
  REQUIRE(events->size() == expected.size());
  REQUIRE(ValidateAll(&*events).ok());
  for (size_t i = 0; i < expected.size(); ++i) {
    const Event& e = (*events)[i];
    const Expected& x = expected[i];
    INFO("event " << i << " " << x.event_type);
    CHECK(e.source() == "sendgrid");
    CHECK(e.event_type() == x.event_type);
    CHECK(e.event_id() == x.event_id);
    CHECK(e.occurred_at() == x.occurred_at);
    REQUIRE(e.identifiers().emails_size() == 1);
    CHECK(e.identifiers().emails(0) == x.email);
    if (x.kind != E::KIND_UNSPECIFIED) {
      REQUIRE(e.has_email());
      CHECK(e.email().kind() == x.kind);
    } else {
      REQUIRE(e.has_consent());
      CHECK(e.consent().state() == x.state);
      CHECK(e.consent().reason() == x.event_type);
    }
  }
  CHECK((*events)[0].email().message_id() == kMessage);
  CHECK((*events)[0].email().campaign() == "Spring Sale");
  CHECK((*events)[2].email().url() ==
        "https://shop.example.com/spring?utm_source=sendgrid");
  CHECK((*events)[1].email().url().empty());
}

TEST_CASE("a SendGrid batch of only processed and deferred yields no events",
          "[connectors][sendgrid]") {
  std::string body = ReadFixture("sendgrid/only_processed.json");
  auto events = DecodeSendGrid(Record(body, "sendgrid"), {});
  REQUIRE(events.ok());
  CHECK(events->empty());
  std::string empty = "[]";
  auto none = DecodeSendGrid(Record(empty, "sendgrid"), {});
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("SendGrid nulls are absent: no sg_event_id leaves the id to decode",
          "[connectors][sendgrid]") {
  std::string body = ReadFixture("sendgrid/nulls.json");
  auto events = DecodeSendGrid(Record(body, "sendgrid"), {});
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  const Event& e = events->front();
  CHECK(e.event_id().empty());
  CHECK(e.email().kind() == EmailEngagement::CLICKED);
  CHECK(e.email().url().empty());
  CHECK(e.email().message_id().empty());
  REQUIRE(ValidateAll(&*events).ok());
  CHECK(e.identifiers().emails(0) == "nora@example.com");
}

TEST_CASE("one bad SendGrid element fails the whole batch, naming it",
          "[connectors][sendgrid]") {
  struct Case {
    const char* fixture;
    const char* message;
  };
  const Case cases[] = {
      {"sendgrid/missing_email.json", "[3].email: missing"},
      {"sendgrid/missing_event.json", "[0].event: missing"},
      {"sendgrid/bad_timestamp.json",
       "[1].timestamp: 'yesterday' is not a Unix time in seconds"},
      {"sendgrid/wrong_type_email.json",
       "[0].email: expected a string, got an array"},
      {"sendgrid/unknown_event.json",
       "[0].event: 'teleported' is not a SendGrid event type"},
      {"sendgrid/element_not_object.json",
       "[1]: expected an event object, got a string"},
      {"sendgrid/not_array.json",
       "body: expected a JSON array of events, got an object"},
  };
  for (const auto& c : cases) {
    INFO(c.fixture);
    std::string body = ReadFixture(c.fixture);
    auto events = DecodeSendGrid(Record(body, "sendgrid"), {});
    REQUIRE_FALSE(events.ok());
    CHECK(events.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(events.status().message() == c.message);
  }
  std::string malformed = ReadFixture("sendgrid/malformed.json");
  auto broken = DecodeSendGrid(Record(malformed, "sendgrid"), {});
  REQUIRE_FALSE(broken.ok());
  CHECK(StartOf(broken.status().message(), 20) == "body: not valid JSON");
}
