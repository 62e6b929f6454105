// Test helpers shared by the help-desk and email connector tests: read a
// webhook fixture from tests/data and validate decoded events the way
// decode.cc does (an event without its own id gets one first).
//
//   std::string body = ReadFixture("sendgrid/batch_mixed.json");
//   auto events = DecodeSendGrid(Record(body, "sendgrid"), {});
//   REQUIRE(ValidateAll(&*events).ok());
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "connectors/common/record.h"
#include "connectors/common/validate.h"
#include "custhub/v1/event.pb.h"

namespace custhub::engage_test {

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
  r.topic = "support";
  r.body = body;
  r.source = source;
  r.event_type = event_type;
  return r;
}

// ValidateEvent on each event, after giving an id to those without one.
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

}  // namespace custhub::engage_test
