#include <catch2/catch.hpp>

#include "connectors/decode.h"

using custhub::connectors::Decode;
using custhub::connectors::RawRecord;

namespace {

constexpr const char* kOrderJson = R"({
  "occurredAt": "2026-02-01T10:00:00+01:00",
  "identifiers": {"emails": ["  Ann@Example.com "], "phones": ["+1 555 000 0001"]},
  "order": {"orderId": "1001", "total": {"minor": "12050", "currency": "USD"}}
})";

RawRecord Json(const std::string& body) {
  RawRecord r;
  r.topic = "orders";
  r.body = body;
  r.event_type = "orders/create";
  return r;
}

}  // namespace

TEST_CASE("a canonical JSON event decodes and is normalised", "[connectors]") {
  std::string body = kOrderJson;
  auto r = Json(body);
  r.event_id = "delivery-1";
  auto events = Decode(r);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  const auto& e = events->front();
  CHECK(e.source() == "canonical");
  CHECK(e.event_type() == "orders/create");
  CHECK(e.event_id() == "delivery-1");
  CHECK(e.identifiers().emails(0) == "ann@example.com");
  CHECK(e.identifiers().phones(0) == "+15550000001");
  CHECK(e.order().total().minor() == 12050);
}

TEST_CASE("a binary canonical event decodes", "[connectors]") {
  custhub::v1::Event e;
  e.set_occurred_at("2026-02-01T10:00:00Z");
  e.mutable_identifiers()->add_emails("b@example.com");
  e.mutable_ticket()->set_ticket_id("T1");
  std::string bytes = e.SerializeAsString();
  RawRecord r;
  r.body = bytes;
  r.content_type = "application/x-protobuf";
  auto events = Decode(r);
  REQUIRE(events.ok());
  CHECK(events->front().ticket().ticket_id() == "T1");
}

TEST_CASE("without an event-id header the id is a hash of the body",
          "[connectors]") {
  std::string body = kOrderJson;
  auto a = Decode(Json(body));
  auto b = Decode(Json(body));
  std::string other = body;
  other.insert(1, " ");
  auto c = Decode(Json(other));
  REQUIRE(a.ok());
  CHECK(a->front().event_id() == b->front().event_id());
  CHECK(a->front().event_id() != c->front().event_id());
}

TEST_CASE("bad canonical input is refused with a reason naming the field",
          "[connectors]") {
  auto reason = [](const std::string& body,
                   absl::string_view source = "canonical") {
    RawRecord r;
    r.body = body;
    r.source = source;
    auto s = Decode(r);
    REQUIRE_FALSE(s.ok());
    return std::string(s.status().message());
  };
  CHECK(reason("{\"order\": ").find("body") == 0);
  CHECK(reason("\xff\xfe{}").find("UTF-8") != std::string::npos);
  CHECK(reason("{}", "myspace").find("source") == 0);
  CHECK(
      reason(
          R"({"occurredAt":"2026-02-01T10:00:00Z","order":{"orderId":"1","total":{"minor":"5","currency":"USD"}}})")
          .find("identifiers") == 0);
  CHECK(
      reason(
          R"({"occurredAt":"2026-02-01T10:00:00Z","identifiers":{"emails":["a@b.com"]},"order":{"orderId":"1","total":{"minor":"-5","currency":"USD"}}})")
          .find("order.total.minor") == 0);
  CHECK(
      reason(
          R"({"occurredAt":"2026-02-01T10:00:00Z","identifiers":{"emails":["a@b.com"]},"order":{"orderId":"1","total":{"minor":"5000000000000000","currency":"USD"}}})")
          .find("order.total.minor") == 0);
  CHECK(
      reason(
          R"({"occurredAt":"last week","identifiers":{"emails":["a@b.com"]},"order":{"orderId":"1"}})")
          .find("occurred_at") == 0);
  CHECK(
      reason(
          R"({"occurredAt":"2026-02-01T10:00:00Z","identifiers":{"emails":["a@b.com"]},"order":{"orderId":"1","total":{"minor":"abc","currency":"USD"}}})")
          .find("body") == 0);  // wrong type
  CHECK(
      reason(
          R"({"occurredAt":"2026-02-01T10:00:00Z","identifiers":{"emails":["not-an-email"]},"ticket":{"ticketId":"1"}})")
          .find("email") == 0);
  CHECK(
      reason(
          R"({"occurredAt":"2026-02-01T10:00:00Z","identifiers":{"emails":["a@b.com"]}})")
          .find("payload") == 0);
}
