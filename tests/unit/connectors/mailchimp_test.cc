#include "connectors/mailchimp/mailchimp.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/unit/connectors/fixtures.h"

using custhub::connectors::DecodeMailchimp;
using custhub::v1::ConsentChange;
using custhub::v1::EmailEngagement;
using custhub::v1::Event;
using namespace custhub::connector_test;

namespace {

enum class Payload { kConsent, kEmail, kCustomer };

struct Case {
  const char* fixture;
  const char* event_type;
  const char* occurred_at;
  std::vector<std::string> emails;  // after validation
  std::vector<std::string> phones;
  const char* first_name;
  const char* last_name;
  Payload payload;
  ConsentChange::State state;
  EmailEngagement::Kind kind;
};

}  // namespace

TEST_CASE("each Mailchimp webhook type maps to its canonical payload",
          "[connectors][mailchimp]") {
  using C = ConsentChange;
  using E = EmailEngagement;
  const std::vector<Case> cases = {
      {"mailchimp/subscribe.txt",
       "subscribe",
       "2024-05-01T10:00:00Z",
       {"ann.lee@example.com"},
       {"+14155550100"},
       "Ann",
       "Lee",
       Payload::kConsent,
       C::SUBSCRIBED,
       E::KIND_UNSPECIFIED},
      {"mailchimp/unsubscribe.txt",
       "unsubscribe",
       "2024-05-02T11:30:00Z",
       {"ann.lee@example.com"},
       {},
       "Ann",
       "Lee",
       Payload::kConsent,
       C::UNSUBSCRIBED,
       E::KIND_UNSPECIFIED},
      {"mailchimp/profile.txt",
       "profile",
       "2024-05-03T09:15:00Z",
       {"ann.lee@example.com"},
       {"+442079460958"},
       "Annabel",
       "Lee-Smith",
       Payload::kCustomer,
       C::STATE_UNSPECIFIED,
       E::KIND_UNSPECIFIED},
      {"mailchimp/upemail.txt",
       "upemail",
       "2024-05-04T08:00:00Z",
       {"ann.lee@example.com", "annabel@example.net"},
       {},
       "",
       "",
       Payload::kCustomer,
       C::STATE_UNSPECIFIED,
       E::KIND_UNSPECIFIED},
      {"mailchimp/cleaned_hard.txt",
       "cleaned",
       "2024-05-05T07:45:00Z",
       {"gone@example.org"},
       {},
       "",
       "",
       Payload::kEmail,
       C::STATE_UNSPECIFIED,
       E::BOUNCED},
      {"mailchimp/cleaned_abuse.txt",
       "cleaned",
       "2024-05-05T07:50:00Z",
       {"angry@example.org"},
       {},
       "",
       "",
       Payload::kEmail,
       C::STATE_UNSPECIFIED,
       E::SPAM_COMPLAINT},
      {"mailchimp/unicode_profile.txt",
       "profile",
       "2024-05-06T12:00:00Z",
       {"zoe@example.de"},
       {},
       "Zo\u00eb",
       "M\u00fcller-\u5c71\u7530",
       Payload::kCustomer,
       C::STATE_UNSPECIFIED,
       E::KIND_UNSPECIFIED},
  };
  for (const auto& c : cases) {
    INFO(c.fixture);
    std::string body = ReadFixture(c.fixture);
    auto events = DecodeMailchimp(Record(body, "mailchimp"), {});
    REQUIRE(events.ok());
    REQUIRE(events->size() == 1);
    CHECK(events->front().event_id().empty());
    REQUIRE(ValidateAll(&*events).ok());
    const Event& e = events->front();
    CHECK(e.source() == "mailchimp");
    CHECK(e.event_type() == c.event_type);
    CHECK(e.occurred_at() == c.occurred_at);
    CHECK(std::vector<std::string>(e.identifiers().emails().begin(),
                                   e.identifiers().emails().end()) == c.emails);
    CHECK(std::vector<std::string>(e.identifiers().phones().begin(),
                                   e.identifiers().phones().end()) == c.phones);
    CHECK(e.identifiers().external_ids().empty());
    CHECK(e.first_name() == c.first_name);
    CHECK(e.last_name() == c.last_name);
    switch (c.payload) {
      case Payload::kConsent:
        REQUIRE(e.has_consent());
        CHECK(e.consent().state() == c.state);
        break;
      case Payload::kEmail:
        REQUIRE(e.has_email());
        CHECK(e.email().kind() == c.kind);
        CHECK(e.email().campaign() == "4fjk2ma9xd");
        break;
      case Payload::kCustomer:
        REQUIRE(e.has_customer());
        CHECK_FALSE(e.customer().has_accepts_marketing());
        break;
    }
  }
}

TEST_CASE("a Mailchimp unsubscribe keeps its reason",
          "[connectors][mailchimp]") {
  std::string body = ReadFixture("mailchimp/unsubscribe.txt");
  auto events = DecodeMailchimp(Record(body, "mailchimp"), {});
  REQUIRE(events.ok());
  CHECK(events->front().consent().reason() == "manual");
}

TEST_CASE("a Mailchimp campaign webhook involves no subscriber and yields none",
          "[connectors][mailchimp]") {
  std::string body = ReadFixture("mailchimp/campaign.txt");
  auto events = DecodeMailchimp(Record(body, "mailchimp"), {});
  REQUIRE(events.ok());
  CHECK(events->empty());
}

TEST_CASE("bad Mailchimp bodies fail with an error that names the field",
          "[connectors][mailchimp]") {
  struct ErrorCase {
    const char* fixture;
    const char* message_start;
  };
  const ErrorCase cases[] = {
      {"mailchimp/missing_email.txt", "data[email]: missing"},
      {"mailchimp/missing_type.txt", "type: missing"},
      {"mailchimp/unknown_type.txt",
       "type: 'resubscribe' is not a mailchimp event type"},
      {"mailchimp/bad_fired_at.txt", "fired_at:"},
      {"mailchimp/upemail_missing_old.txt", "data[old_email]: missing"},
      {"mailchimp/invalid_utf8.txt", "data[merges][FNAME]: not valid UTF-8"},
      {"mailchimp/json_body.txt",
       "body: expected application/x-www-form-urlencoded, got JSON"},
  };
  for (const auto& c : cases) {
    INFO(c.fixture);
    std::string body = ReadFixture(c.fixture);
    auto events = DecodeMailchimp(Record(body, "mailchimp"), {});
    REQUIRE_FALSE(events.ok());
    CHECK(events.status().code() == absl::StatusCode::kInvalidArgument);
    std::string expected = c.message_start;
    CHECK(StartOf(events.status().message(), expected.size()) == expected);
  }
}
