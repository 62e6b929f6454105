// Test helpers shared by the connector tests: read a webhook fixture from
// tests/data (CUSTHUB_TEST_DATA), build the record a decoder sees, and
// validate decoded events the way decode.cc does (an event without its own
// id gets one first).
//
//   std::string body = ReadFixture("sendgrid/batch_mixed.json");
//   auto events = DecodeSendGrid(Record(body, "sendgrid"), {});
//   REQUIRE(ValidateAll(&*events).ok());
//
//   const Connector shopify{DecodeShopify, "shopify"};
//   v1::Event e = shopify.DecodeOne("order_create.json", "orders/create");
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "connectors/common/record.h"
#include "connectors/common/validate.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connector_test {

using Events = absl::StatusOr<std::vector<custhub::v1::Event>>;
using Decoder = Events (*)(const connectors::RawRecord&,
                           const connectors::DecodeOptions&);

// The fixture at tests/data/<relative>; fails the test if it is missing.
inline std::string ReadFixture(const std::string& relative) {
  std::string path = std::string(CUSTHUB_TEST_DATA) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  INFO("fixture " << path);
  REQUIRE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A record as the input topics deliver it; `body` must outlive it.
inline connectors::RawRecord Record(const std::string& body,
                                    absl::string_view source,
                                    absl::string_view event_type = "") {
  connectors::RawRecord r;
  r.topic = "webhooks";
  r.body = body;
  r.source = source;
  r.event_type = event_type;
  return r;
}

// What the hub does after decoding: ValidateEvent on each event, after
// giving an id to those without one.
inline absl::Status ValidateAll(std::vector<custhub::v1::Event>* events) {
  for (size_t i = 0; i < events->size(); ++i) {
    auto& e = (*events)[i];
    if (e.event_id().empty()) e.set_event_id(absl::StrCat("test-", i));
    auto s = connectors::ValidateEvent(&e);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

inline std::vector<std::string> Tags(const custhub::v1::Ticket& t) {
  return {t.tags().begin(), t.tags().end()};
}

inline std::string StartOf(absl::string_view message, size_t n) {
  return std::string(message.substr(0, n));
}

// One decoder with its source name, whose fixtures live in
// tests/data/<source>/.
struct Connector {
  Decoder decode;
  const char* source;
  const char* default_region = "US";

  std::string Fixture(const std::string& name) const {
    return ReadFixture(absl::StrCat(source, "/", name));
  }

  Events Decode(const std::string& body, absl::string_view event_type,
                const char* region = nullptr, int64_t timestamp_ms = -1) const {
    connectors::RawRecord r = Record(body, source, event_type);
    r.timestamp_ms = timestamp_ms;
    connectors::DecodeOptions options;
    options.default_phone_region = region ? region : default_region;
    return decode(r, options);
  }

  // Decodes and validates a fixture, which must yield at least one event.
  std::vector<custhub::v1::Event> DecodeValid(
      const std::string& file, absl::string_view event_type,
      const char* region = nullptr) const {
    return DecodeChecked(file, event_type, region, 0);
  }

  // As DecodeValid for a fixture that yields exactly one event.
  custhub::v1::Event DecodeOne(const std::string& file,
                               absl::string_view event_type,
                               const char* region = nullptr) const {
    return DecodeChecked(file, event_type, region, 1).front();
  }

  // The InvalidArgument message decoding `body` fails with.
  std::string ErrorOf(const std::string& body,
                      absl::string_view event_type) const {
    Events events = Decode(body, event_type);
    REQUIRE_FALSE(events.ok());
    CHECK(events.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(events.status().message());
  }

 private:
  // `count` events, or at least one when 0.
  std::vector<custhub::v1::Event> DecodeChecked(const std::string& file,
                                                absl::string_view event_type,
                                                const char* region,
                                                size_t count) const {
    std::string body = Fixture(file);
    Events events = Decode(body, event_type, region);
    INFO(file << " as " << event_type << ": " << events.status().message());
    REQUIRE(events.ok());
    if (count == 0) {
      REQUIRE_FALSE(events->empty());
    } else {
      REQUIRE(events->size() == count);
    }
    absl::Status s = ValidateAll(&*events);
    INFO("validation: " << s.message());
    REQUIRE(s.ok());
    return *std::move(events);
  }
};

}  // namespace custhub::connector_test
