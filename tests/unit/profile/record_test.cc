#include "src/profile/record.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "custhub/v1/state.pb.h"
#include "proto/deterministic.h"

namespace v1 = custhub::v1;
using custhub::profile::CustomerRecord;
using custhub::profile::DecodeCustomer;
using custhub::profile::DecodeRules;
using custhub::profile::EncodeCustomer;
using custhub::profile::EncodeRules;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

namespace {

// Every field of `m`, recursively, set or left unset at random, with the
// values that encode differently (zero, negatives, multi-byte varints,
// -0.0, empty and long strings, unknown enum numbers, empty sub-messages).
// Driven by the descriptors, so a field added to the protos is filled too
// and the record must know it.
class Filler {
 public:
  explicit Filler(uint32_t seed) : rng_(seed) {}

  void Fill(Message* m, int depth = 0) {
    const auto* d = m->GetDescriptor();
    const auto* refl = m->GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      if (Pick(3) == 0) continue;
      if (f->is_map()) {
        for (int n = Pick(4); n > 0; --n) {
          Message* entry = refl->AddMessage(m, f);
          const auto* ed = entry->GetDescriptor();
          entry->GetReflection()->SetString(entry, ed->field(0), Key());
          entry->GetReflection()->SetString(entry, ed->field(1), Text());
        }
      } else if (f->is_repeated()) {
        for (int n = Pick(4); n > 0; --n) Add(m, f, depth);
      } else {
        Set(m, f, depth);
      }
    }
  }

 private:
  int Pick(int n) { return static_cast<int>(rng_() % n); }
  int64_t Int64() {
    const int64_t v[] = {0,
                         1,
                         -1,
                         127,
                         128,
                         300,
                         1'700'000'000'000'000,
                         std::numeric_limits<int64_t>::max(),
                         std::numeric_limits<int64_t>::min(),
                         static_cast<int64_t>(rng_())};
    return v[Pick(10)];
  }
  int32_t Int32() {
    const int32_t v[] = {0,
                         1,
                         -1,
                         127,
                         128,
                         16384,
                         std::numeric_limits<int32_t>::max(),
                         std::numeric_limits<int32_t>::min(),
                         static_cast<int32_t>(rng_())};
    return v[Pick(9)];
  }
  double Double() {
    const double v[] = {0.0, -0.0, 0.25, 1e300, -3.5, std::nan("")};
    return v[Pick(6)];
  }
  std::string Text() {
    switch (Pick(5)) {
      case 0:
        return "";
      case 1:
        return "USD";
      case 2:
        return std::string(200, 'x');  // a two-byte length
      default:
        return "s" + std::to_string(rng_());
    }
  }
  std::string Key() { return "k" + std::to_string(Pick(6)); }

  void Set(Message* m, const FieldDescriptor* f, int depth) {
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return r->SetInt32(m, f, Int32());
      case FieldDescriptor::CPPTYPE_INT64:
        return r->SetInt64(m, f, Int64());
      case FieldDescriptor::CPPTYPE_UINT64:
        return r->SetUInt64(m, f, static_cast<uint64_t>(Int64()));
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return r->SetDouble(m, f, Double());
      case FieldDescriptor::CPPTYPE_BOOL:
        return r->SetBool(m, f, Pick(2) == 1);
      case FieldDescriptor::CPPTYPE_ENUM:
        return r->SetEnumValue(m, f, Pick(7) - 1);  // unknown numbers too
      case FieldDescriptor::CPPTYPE_STRING:
        return r->SetString(m, f, Text());
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* sub = r->MutableMessage(m, f);  // set, maybe empty
        if (depth < 4 && Pick(4) != 0) Fill(sub, depth + 1);
        return;
      }
      default:
        FAIL("a field type the record test does not fill: " << f->full_name());
    }
  }

  void Add(Message* m, const FieldDescriptor* f, int depth) {
    const auto* r = m->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT64:
        return r->AddInt64(m, f, Int64());
      case FieldDescriptor::CPPTYPE_STRING:
        return r->AddString(m, f, Text());
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* sub = r->AddMessage(m, f);
        if (depth < 4) Fill(sub, depth + 1);
        return;
      }
      default:
        FAIL("a repeated field type the record test does not fill: "
             << f->full_name());
    }
  }

  std::mt19937 rng_;
};

std::string RoundTrip(const std::string& bytes, bool with_rules = true) {
  CustomerRecord r;
  REQUIRE(DecodeCustomer(bytes, &r).ok());
  std::string out;
  EncodeCustomer(r, with_rules, &out);
  return out;
}

}  // namespace

TEST_CASE("a record writes back protobuf's own bytes for any state") {
  for (uint32_t seed = 1; seed <= 3000; ++seed) {
    v1::CustomerState state;
    Filler(seed).Fill(&state);
    std::string bytes = custhub::DeterministicBytes(state);
    INFO("seed " << seed);
    REQUIRE(RoundTrip(bytes) == bytes);

    // The profiles family's value: the state with its rules swapped out for
    // an empty message (streams/commit.cc).
    v1::CustomerState without = state;
    v1::RulesState().Swap(without.mutable_rules());
    REQUIRE(RoundTrip(bytes, /*with_rules=*/false) ==
            custhub::DeterministicBytes(without));

    // The rules family's value.
    std::string rules = custhub::DeterministicBytes(state.rules());
    CustomerRecord::Rules r;
    REQUIRE(DecodeRules(rules, &r).ok());
    std::string out;
    EncodeRules(r, &out);
    REQUIRE(out == rules);
  }
}

TEST_CASE("a record holds the fields protobuf parsed") {
  v1::CustomerState s;
  auto* p = s.mutable_profile();
  p->set_customer_id("cus_1");
  p->add_emails("a@b.com");
  (*p->mutable_external_ids())["shopify"] = "42";
  p->mutable_orders()->set_count(3);
  p->mutable_orders()->mutable_gross_revenue()->set_minor(-12050);
  p->mutable_orders()->mutable_gross_revenue()->set_currency("EUR");
  p->mutable_returns()->set_return_rate(0.5);
  p->mutable_checkout();  // set, empty
  s.set_last_event_micros(1'700'000'000'000'000);
  s.add_closed_checkouts()->set_token("tok");
  s.mutable_rules()->add_ticket_created_micros(-5);
  s.mutable_rules()->mutable_published()->set_erp(~uint64_t{0});
  auto* t = s.mutable_rules()->add_timers();
  t->set_kind("win_back");
  t->set_due_micros(99);

  CustomerRecord r;
  REQUIRE(DecodeCustomer(custhub::DeterministicBytes(s), &r).ok());
  CHECK(r.profile.set);
  CHECK(r.profile.customer_id == "cus_1");
  CHECK(r.profile.emails == std::vector<std::string>{"a@b.com"});
  REQUIRE(r.profile.external_ids.size() == 1);
  CHECK(r.profile.external_ids[0].second == "42");
  CHECK(r.profile.orders.count == 3);
  CHECK(r.profile.orders.gross_revenue.minor == -12050);
  CHECK(r.profile.orders.gross_revenue.currency == "EUR");
  CHECK_FALSE(r.profile.orders.refunded.set);
  CHECK(r.profile.returns.return_rate == 0.5);
  CHECK(r.profile.checkout.set);
  CHECK_FALSE(r.profile.traits.set);
  CHECK(r.last_event_micros == 1'700'000'000'000'000);
  REQUIRE(r.closed_checkouts.size() == 1);
  CHECK(r.closed_checkouts[0].token == "tok");
  CHECK(r.rules.ticket_created_micros == std::vector<int64_t>{-5});
  CHECK(r.rules.published_set);
  CHECK(r.rules.published_erp == ~uint64_t{0});
  REQUIRE(r.rules.timers.size() == 1);
  CHECK(r.rules.timers[0].kind == "win_back");
  CHECK(r.rules.timers[0].due_micros == 99);
}

TEST_CASE("a record reads what protobuf reads, as protobuf reads it") {
  // Encodings protobuf never writes but parses: the record must make the
  // same of them (compared through protobuf's canonical bytes).
  auto same_as_protobuf = [](const std::string& odd) {
    v1::CustomerState parsed;
    REQUIRE(parsed.ParseFromString(odd));
    parsed.DiscardUnknownFields();  // the record drops them
    REQUIRE(RoundTrip(odd) == custhub::DeterministicBytes(parsed));
  };
  v1::CustomerState a, b;
  a.mutable_profile()->set_customer_id("cus_a");
  a.mutable_profile()->mutable_orders()->set_count(2);
  (*a.mutable_profile()->mutable_external_ids())["z"] = "1";
  b.mutable_profile()->set_first_name("Ann");
  b.mutable_profile()->mutable_orders()->set_items_bought(5);
  (*b.mutable_profile()->mutable_external_ids())["a"] = "2";
  (*b.mutable_profile()->mutable_external_ids())["z"] = "3";
  b.set_first_seen_micros(7);

  SECTION("a message repeated merges, later fields and map keys winning") {
    same_as_protobuf(custhub::DeterministicBytes(a) +
                     custhub::DeterministicBytes(b));
  }
  SECTION("fields out of order") {
    same_as_protobuf(custhub::DeterministicBytes(b) +
                     custhub::DeterministicBytes(a));
  }
  SECTION("unknown fields of every wire type are skipped") {
    std::string unknown;
    unknown += "\xf8\x06\x96\x01";                // field 111, varint
    unknown += "\xf9\x06" + std::string(8, 'a');  // field 111, fixed64
    unknown += "\xfa\x06\x02hi";                  // field 111, bytes
    unknown += "\xfd\x06" + std::string(4, 'b');  // field 111, fixed32
    same_as_protobuf(unknown + custhub::DeterministicBytes(a) + unknown);
  }
  SECTION("numbers of a packed field unpacked") {
    // rules (20) { ticket_created_micros (5) as two varints }
    std::string rules = "\x28\x01\x28\x02";
    same_as_protobuf("\xa2\x01" + std::string(1, char(rules.size())) + rules);
  }
  SECTION("a map entry without its value") {
    // profile (1) { external_ids (4) { key "k" } }
    std::string entry = "\x0a\x01k";
    std::string map = "\x22" + std::string(1, char(entry.size())) + entry;
    same_as_protobuf("\x0a" + std::string(1, char(map.size())) + map);
  }
}

TEST_CASE("a record refuses bytes protobuf refuses") {
  v1::CustomerState s;
  s.mutable_profile()->set_customer_id("cus_1");
  std::string good = custhub::DeterministicBytes(s);
  const std::string bad[] = {
      good.substr(0, good.size() - 1),  // cut short
      "\x10",                           // a varint with no value
      "\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  // 11-byte varint
      "\x0a\x7f",                  // a length past the end
      "\x0b",                      // a group
      std::string("\x00\x01", 2),  // field number 0
  };
  for (const std::string& b : bad) {
    INFO("bytes of size " << b.size());
    v1::CustomerState parsed;
    CHECK_FALSE(parsed.ParseFromString(b));
    CustomerRecord r;
    CHECK_FALSE(DecodeCustomer(b, &r).ok());
  }
}

TEST_CASE("the first timer's due time is read without decoding the rest",
          "[profile]") {
  for (uint32_t seed = 1; seed <= 500; ++seed) {
    v1::RulesState rules;
    Filler(seed).Fill(&rules);
    auto due =
        custhub::profile::FirstTimerDue(custhub::DeterministicBytes(rules));
    REQUIRE(due.ok());
    INFO("seed " << seed);
    if (rules.timers().empty()) {
      CHECK_FALSE(due->has_value());
    } else {
      REQUIRE(due->has_value());
      CHECK(**due == rules.timers(0).due_micros());
    }
  }
  CHECK_FALSE(custhub::profile::FirstTimerDue("\x52\x05\x10").ok());
}
