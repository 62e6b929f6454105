#include "connectors/klaviyo/klaviyo.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/connectors/fixtures.h"

using custhub::connectors::DecodeKlaviyo;
using custhub::v1::ConsentChange;
using custhub::v1::EmailEngagement;
using custhub::v1::Event;
using namespace custhub::connector_test;

namespace {

constexpr const char* kAnnProfile = "01HWX8Y6N2B4C5D6E7F8G9H0J1";

struct Case {
  const char* fixture;
  const char* header;  // event-type header; may be empty
  const char* event_type;
  const char* event_id;
  const char* occurred_at;
  const char* email;
  const char* phone;
  const char* profile_id;
  const char* first_name;
  const char* last_name;
  EmailEngagement::Kind kind;  // KIND_UNSPECIFIED for consent changes
  ConsentChange::State state;
};

}  // namespace

TEST_CASE("a Klaviyo event object maps its metric to engagement or consent",
          "[connectors][klaviyo]") {
  using E = EmailEngagement;
  using C = ConsentChange;
  const std::vector<Case> cases = {
      {"klaviyo/opened_email.json", "Opened Email", "Opened Email",
       "4vRpBT3dGzA", "2024-05-01T11:00:00Z", "ann.lee@example.com",
       "+14155550100", kAnnProfile, "Ann", "Lee", E::OPENED,
       C::STATE_UNSPECIFIED},
      // No header: the metric inside data.attributes names the event.
      {"klaviyo/clicked_email.json", "", "Clicked Email", "5wSqCU4eHaB",
       "2024-05-01T11:01:00Z", "ann.lee@example.com", "", kAnnProfile, "", "",
       E::CLICKED, C::STATE_UNSPECIFIED},
      {"klaviyo/received_email.json", "Received Email", "Received Email",
       "6xTrDV5fIbC", "2024-05-01T10:00:05Z", "ann.lee@example.com", "",
       kAnnProfile, "", "", E::DELIVERED, C::STATE_UNSPECIFIED},
      {"klaviyo/bounced_email.json", "Bounced Email", "Bounced Email",
       "7yUsEW6gJcD", "2024-05-01T10:00:09Z", "gone@example.org", "",
       "01HWX9BOUNCE0000000000000", "", "", E::BOUNCED, C::STATE_UNSPECIFIED},
      // No metric in the body: the header names it.
      {"klaviyo/marked_spam.json", "Marked Email as Spam",
       "Marked Email as Spam", "8zVtFX7hKdE", "2024-05-02T08:00:00Z",
       "ann.lee@example.com", "", kAnnProfile, "", "", E::SPAM_COMPLAINT,
       C::STATE_UNSPECIFIED},
      {"klaviyo/unsubscribed.json", "Unsubscribed", "Unsubscribed",
       "9aWuGY8iLeF", "2024-05-03T23:20:00Z", "carol@example.net", "", "", "",
       "", E::KIND_UNSPECIFIED, C::UNSUBSCRIBED},
      {"klaviyo/subscribed.json", "Subscribed to List", "Subscribed to List",
       "0bXvHZ9jMfG", "2024-05-04T07:00:00Z", "dave@example.com",
       "+12125550142", "01HWXSUB00000000000000000", "Dave", "",
       E::KIND_UNSPECIFIED, C::SUBSCRIBED},
      {"klaviyo/unicode_names.json", "Opened Email", "Opened Email", "UnI001",
       "2024-05-06T00:00:00Z", "hanako@example.jp", "",
       "01HWXUNI000000000000000000", "\u82b1\u5b50", "Y\u0101mada-M\u00fcller",
       E::OPENED, C::STATE_UNSPECIFIED},
      {"klaviyo/header_metric.json", "Clicked Email", "Clicked Email", "Hm1Mt2",
       "2024-05-07T09:00:00Z", "frank@example.com", "+16505550123", "", "", "",
       E::CLICKED, C::STATE_UNSPECIFIED},
  };
  for (const auto& c : cases) {
    INFO(c.fixture << " with header '" << c.header << "'");
    std::string body = ReadFixture(c.fixture);
    auto events = DecodeKlaviyo(Record(body, "klaviyo", c.header), {});
    REQUIRE(events.ok());
    REQUIRE(events->size() == 1);
    REQUIRE(ValidateAll(&*events).ok());
    const Event& e = events->front();
    CHECK(e.source() == "klaviyo");
    CHECK(e.event_type() == c.event_type);
    CHECK(e.event_id() == c.event_id);
    CHECK(e.occurred_at() == c.occurred_at);
    REQUIRE(e.identifiers().emails_size() == 1);
    CHECK(e.identifiers().emails(0) == c.email);
    if (std::string(c.phone).empty()) {
      CHECK(e.identifiers().phones_size() == 0);
    } else {
      REQUIRE(e.identifiers().phones_size() == 1);
      CHECK(e.identifiers().phones(0) == c.phone);
    }
    const auto& ext = e.identifiers().external_ids();
    if (std::string(c.profile_id).empty()) {
      CHECK(ext.empty());
    } else {
      REQUIRE(ext.count("klaviyo") == 1);
      CHECK(ext.at("klaviyo") == c.profile_id);
    }
    CHECK(e.first_name() == c.first_name);
    CHECK(e.last_name() == c.last_name);
    if (c.kind != EmailEngagement::KIND_UNSPECIFIED) {
      REQUIRE(e.has_email());
      CHECK(e.email().kind() == c.kind);
    } else {
      REQUIRE(e.has_consent());
      CHECK(e.consent().state() == c.state);
    }
  }
}

TEST_CASE("Klaviyo email properties carry message, campaign and clicked URL",
          "[connectors][klaviyo]") {
  std::string opened = ReadFixture("klaviyo/opened_email.json");
  auto o = DecodeKlaviyo(Record(opened, "klaviyo", "Opened Email"), {});
  REQUIRE(o.ok());
  CHECK(o->front().email().message_id() == "01HWXK3M0S8Q2Z7J9V6C5B4A3D");
  CHECK(o->front().email().campaign() == "Spring Sale 2024");
  CHECK(o->front().email().url().empty());

  std::string clicked = ReadFixture("klaviyo/clicked_email.json");
  auto c = DecodeKlaviyo(Record(clicked, "klaviyo"), {});
  REQUIRE(c.ok());
  CHECK(c->front().email().url() ==
        "https://shop.example.com/spring?utm_source=klaviyo");
}

TEST_CASE("a Klaviyo system webhook envelope yields one event per item",
          "[connectors][klaviyo]") {
  std::string body = ReadFixture("klaviyo/system_webhook.json");
  auto events = DecodeKlaviyo(Record(body, "klaviyo"), {});
  REQUIRE(events.ok());
  REQUIRE(events->size() == 2);
  REQUIRE(ValidateAll(&*events).ok());
  const Event& received = (*events)[0];
  const Event& opened = (*events)[1];
  CHECK(received.event_type() == "Received Email");
  CHECK(received.event_id() == "AaA111");
  CHECK(received.email().kind() == EmailEngagement::DELIVERED);
  CHECK(received.occurred_at() == "2024-05-05T10:00:00Z");
  CHECK(opened.event_type() == "Opened Email");
  CHECK(opened.event_id() == "ext-2");  // no data.id: the item's external_id
  CHECK(opened.email().kind() == EmailEngagement::OPENED);
  CHECK(opened.occurred_at() == "2024-05-05T10:00:00Z");
  for (const Event& e : *events) {
    CHECK(e.identifiers().emails(0) == "erin@example.com");
    CHECK(e.identifiers().external_ids().at("klaviyo") ==
          "01HWXENV0000000000000000A");
  }
}

TEST_CASE("bad Klaviyo records fail with an error that names the field",
          "[connectors][klaviyo]") {
  struct ErrorCase {
    const char* fixture;
    const char* header;
    const char* message_start;
  };
  const ErrorCase cases[] = {
      {"klaviyo/unknown_metric.json", "",
       "metric: 'Placed Order' is not a supported Klaviyo metric"},
      {"klaviyo/opened_email.json", "Placed Order", "metric: 'Opened Email'"},
      {"klaviyo/header_metric.json", "", "metric: missing"},
      {"klaviyo/missing_datetime.json", "",
       "data.attributes.datetime: missing"},
      {"klaviyo/wrong_type_datetime.json", "",
       "data.attributes.datetime: expected a string, got an array"},
      {"klaviyo/wrong_type_email.json", "",
       "data.attributes.profile.data.attributes.email: expected a string, got "
       "a number"},
      {"klaviyo/missing_data.json", "Opened Email", "data: missing"},
      {"klaviyo/malformed.json", "Opened Email", "body: not valid JSON"},
      {"sendgrid/batch_mixed.json", "Opened Email",
       "body: expected a JSON object, got an array"},
  };
  for (const auto& c : cases) {
    INFO(c.fixture << " with header '" << c.header << "'");
    std::string body = ReadFixture(c.fixture);
    auto events = DecodeKlaviyo(Record(body, "klaviyo", c.header), {});
    if (std::string(c.message_start) == "metric: 'Opened Email'") {
      // The body's metric wins over a disagreeing header.
      REQUIRE(events.ok());
      CHECK(events->front().email().kind() == EmailEngagement::OPENED);
      continue;
    }
    REQUIRE_FALSE(events.ok());
    CHECK(events.status().code() == absl::StatusCode::kInvalidArgument);
    std::string expected = c.message_start;
    CHECK(StartOf(events.status().message(), expected.size()) == expected);
  }
}
