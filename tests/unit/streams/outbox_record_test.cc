// Reading serialised outbox records in place (streams/outbox_record.h):
// what the publisher sends must be what protobuf wrote.
#include "streams/outbox_record.h"

#include <catch2/catch.hpp>
#include <string>

#include "custhub/v1/state.pb.h"
#include "src/publish/outputs.h"
#include "streams/by_sequence.h"

using custhub::kafka::OutRecordView;
using custhub::streams::ParseOutboxRecordView;

TEST_CASE("outbox record view: fields and sorted headers as protobuf wrote",
          "[outbox]") {
  custhub::v1::OutboxRecord r;
  r.set_topic("customer.profiles");
  r.set_key(std::string("cus_\0x", 6));  // bytes, NUL included
  r.set_value(std::string(300, 'v'));    // a length beyond one varint byte
  custhub::publish::SetHeader(&r, "zeta", "1");
  custhub::publish::SetHeader(&r, "alpha", "");
  custhub::publish::SetHeader(&r, "idempotency-key", "k");
  std::string bytes = r.SerializeAsString();
  OutRecordView v;
  REQUIRE(ParseOutboxRecordView(bytes, &v));
  CHECK(v.topic == "customer.profiles");
  CHECK(v.key == absl::string_view("cus_\0x", 6));
  CHECK(v.value == std::string(300, 'v'));
  CHECK_FALSE(v.value_is_null);
  REQUIRE(v.headers.size() == 3);
  CHECK(v.headers[0].first == "alpha");
  CHECK(v.headers[0].second.empty());
  CHECK(v.headers[1].first == "idempotency-key");
  CHECK(v.headers[1].second == "k");
  CHECK(v.headers[2].first == "zeta");
  // The views point into the bytes: nothing was copied.
  CHECK(v.value.data() >= bytes.data());
  CHECK(v.value.data() < bytes.data() + bytes.size());
}

TEST_CASE("outbox record view: tombstones and empty records", "[outbox]") {
  custhub::v1::OutboxRecord r;
  r.set_topic("customer.profiles");
  r.set_key("cus_1");
  r.set_tombstone(true);
  OutRecordView v;
  REQUIRE(ParseOutboxRecordView(r.SerializeAsString(), &v));
  CHECK(v.value_is_null);
  CHECK(v.value.empty());
  CHECK(v.headers.empty());
  REQUIRE(ParseOutboxRecordView("", &v));
  CHECK(v.topic.empty());
}

TEST_CASE("outbox record view: damaged bytes are refused", "[outbox]") {
  custhub::v1::OutboxRecord r;
  r.set_topic("customer.profiles");
  r.set_value("{\"a\":1}");
  std::string bytes = r.SerializeAsString();
  OutRecordView v;
  // Cut inside the value: its length runs past the end.
  CHECK_FALSE(ParseOutboxRecordView(bytes.substr(0, bytes.size() - 2), &v));
  // Field number 0 and wire type 7 exist in no message.
  CHECK_FALSE(ParseOutboxRecordView(std::string("\x00\x01", 2), &v));
  CHECK_FALSE(ParseOutboxRecordView(std::string("\x00", 1), &v));
  CHECK_FALSE(ParseOutboxRecordView("\x0f", &v));
  // A varint that never ends.
  CHECK_FALSE(ParseOutboxRecordView("\x20\xff\xff", &v));
  // A header entry cut short inside its name.
  CHECK_FALSE(ParseOutboxRecordView("\x2a\x02\x0a\x05", &v));
}

TEST_CASE("outbox headers: one per name, and entries of earlier versions read",
          "[outbox]") {
  custhub::v1::OutboxRecord r;
  custhub::publish::SetHeader(&r, "content-type", "text/plain");
  custhub::publish::SetHeader(&r, "content-type", "application/json");
  REQUIRE(r.headers_size() == 1);
  REQUIRE(custhub::publish::FindHeader(r, "content-type") != nullptr);
  CHECK(*custhub::publish::FindHeader(r, "content-type") == "application/json");
  CHECK(custhub::publish::FindHeader(r, "other") == nullptr);

  // Headers were a map<string, bytes>: its entries always carry key and
  // value. An entry stored that way reads back as the same header.
  std::string entry = std::string("\x0a\x04") + "name" + "\x12\x01" + "v";
  std::string bytes = std::string("\x0a\x01t") + "\x2a" +
                      std::string(1, char(entry.size())) + entry;
  custhub::v1::OutboxRecord old;
  REQUIRE(old.ParseFromString(bytes));
  CHECK(old.topic() == "t");
  REQUIRE(old.headers_size() == 1);
  CHECK(old.headers(0).key() == "name");
  CHECK(old.headers(0).value() == "v");
  OutRecordView v;
  REQUIRE(ParseOutboxRecordView(bytes, &v));
  REQUIRE(v.headers.size() == 1);
  CHECK(v.headers[0].second == "v");
}

TEST_CASE("outputs in flight by sequence number, in any order of delivery",
          "[outbox]") {
  custhub::streams::BySequence<std::string> m;
  CHECK(m.empty());
  for (uint64_t s = 10; s < 15; ++s) m.emplace(s, std::to_string(s));
  m.emplace(20, "20");  // a gap
  CHECK(m.size() == 6);
  CHECK(m.first() == 10);
  CHECK_FALSE(m.contains(16));
  CHECK_FALSE(m.contains(9));
  CHECK_FALSE(m.contains(21));
  m.erase(12);  // out of order: the oldest stays
  CHECK(m.first() == 10);
  CHECK_FALSE(m.contains(12));
  m.erase(10);
  m.erase(11);  // the oldest moves past 12, already gone
  CHECK(m.first() == 13);
  CHECK(m.at(13) == "13");
  m.emplace(5, "5");  // older than any held
  CHECK(m.first() == 5);
  CHECK(m.at(5) == "5");
  CHECK(m.at(20) == "20");
  m.emplace(20, "twenty");  // replaces
  CHECK(m.size() == 4);     // 5, 13, 14, 20
  CHECK(m.at(20) == "twenty");
  for (uint64_t s : {5, 13, 14, 20}) m.erase(s);
  m.erase(99);  // not held: nothing
  CHECK(m.empty());
  m.emplace(1000, "a");  // starts over anywhere
  CHECK(m.first() == 1000);
  CHECK(m.size() == 1);
}
