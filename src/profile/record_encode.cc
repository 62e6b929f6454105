// CustomerRecord (record.h) written in the protobuf wire format of
// CustomerState and RulesState, as protobuf's deterministic serialisation
// writes them: which field goes where is written out here, since protobuf
// serialises only its own messages; the numbers go through protobuf's
// coders. Field numbers are those of state.proto, profile.proto,
// rules.proto and common.proto; a field added there must be added here and
// in record_decode.cc (record_test compares every field with protobuf).
#include <google/protobuf/io/coded_stream.h>

#include <cstring>

#include "absl/base/casts.h"
#include "src/profile/record.h"

namespace custhub::profile {
namespace {

using google::protobuf::io::CodedOutputStream;

enum WireType : int { kVarint = 0, kFixed64 = 1, kLen = 2 };

// ---- Writing (proto3: scalars equal to zero are left out) -----------------

// Varints and fixed-width numbers by protobuf's own coders; the record
// maps fields, protobuf encodes the numbers.
void PutVarint(uint64_t v, std::string* out) {
  uint8_t buf[10];
  uint8_t* end = CodedOutputStream::WriteVarint64ToArray(v, buf);
  out->append(reinterpret_cast<const char*>(buf), end - buf);
}

void PutTag(int field, int wire_type, std::string* out) {
  PutVarint((static_cast<uint64_t>(field) << 3) | wire_type, out);
}

void PutInt64(int field, int64_t v, std::string* out) {
  if (v == 0) return;
  PutTag(field, kVarint, out);
  PutVarint(static_cast<uint64_t>(v), out);
}

// Negative int32s are written sign-extended, as protobuf does.
void PutInt32(int field, int32_t v, std::string* out) {
  PutInt64(field, v, out);
}

void PutBool(int field, bool v, std::string* out) {
  if (!v) return;
  PutTag(field, kVarint, out);
  out->push_back(1);
}

void PutFixed64(int field, uint64_t v, std::string* out) {
  if (v == 0) return;
  PutTag(field, kFixed64, out);
  uint8_t buf[8];
  CodedOutputStream::WriteLittleEndian64ToArray(v, buf);
  out->append(reinterpret_cast<const char*>(buf), 8);
}

// A double is left out only when its bits are zero (-0.0 is written).
void PutDouble(int field, double v, std::string* out) {
  PutFixed64(field, absl::bit_cast<uint64_t>(v), out);
}

// Always written: elements of repeated fields and map entries.
void PutBytes(int field, absl::string_view s, std::string* out) {
  PutTag(field, kLen, out);
  PutVarint(s.size(), out);
  out->append(s.data(), s.size());
}

void PutString(int field, const std::string& s, std::string* out) {
  if (!s.empty()) PutBytes(field, s, out);
}

// A sub-message: its body is written after a one-byte length, which moves
// the body up when the length needs more bytes.
template <typename Body>
void PutMessage(int field, std::string* out, Body body) {
  PutTag(field, kLen, out);
  size_t at = out->size();
  out->push_back(0);
  body(out);
  size_t len = out->size() - at - 1;
  if (len < 0x80) {
    (*out)[at] = static_cast<char>(len);
    return;
  }
  std::string prefix;
  PutVarint(len, &prefix);
  out->insert(at + 1, prefix.size() - 1, '\0');
  std::memcpy(&(*out)[at], prefix.data(), prefix.size());
}

void PutTime(int field, const Time& t, std::string* out) {
  if (!t.set) return;
  PutMessage(field, out, [&](std::string* o) {
    PutInt64(1, t.seconds, o);
    PutInt32(2, t.nanos, o);
  });
}

void PutAmount(int field, const Amount& a, std::string* out) {
  if (!a.set) return;
  PutMessage(field, out, [&](std::string* o) {
    PutInt64(1, a.minor, o);
    PutString(2, a.currency, o);
  });
}

using R = CustomerRecord;

void PutOrders(const R::Orders& s, std::string* o) {
  PutInt32(1, s.count, o);
  PutTime(2, s.first_order_at, o);
  PutTime(3, s.last_order_at, o);
  PutAmount(4, s.gross_revenue, o);
  PutAmount(5, s.refunded, o);
  PutAmount(6, s.net_revenue, o);
  PutAmount(7, s.average_order_value, o);
  PutInt32(8, s.cancelled_count, o);
  PutInt32(9, s.open_count, o);
  PutInt32(10, s.items_bought, o);
}

void PutReturns(const R::Returns& s, std::string* o) {
  PutInt32(1, s.count, o);
  PutInt32(2, s.items_returned, o);
  PutDouble(3, s.return_rate, o);
  PutTime(4, s.last_return_at, o);
}

void PutSupport(const R::Support& s, std::string* o) {
  PutInt32(1, s.open_tickets, o);
  PutInt32(2, s.total_tickets, o);
  PutTime(3, s.last_ticket_at, o);
  PutString(4, s.last_satisfaction, o);
}

void PutEmail(const R::Email& s, std::string* o) {
  PutInt32(1, s.consent, o);
  PutInt32(2, s.delivered, o);
  PutInt32(3, s.opens, o);
  PutInt32(4, s.clicks, o);
  PutInt32(5, s.bounces, o);
  PutInt32(6, s.spam_complaints, o);
  PutTime(7, s.last_open_at, o);
  PutTime(8, s.last_click_at, o);
}

void PutCheckout(const R::Checkout& s, std::string* o) {
  PutBool(1, s.open, o);
  PutAmount(2, s.value, o);
  PutTime(3, s.since, o);
  PutString(4, s.checkout_token, o);
}

void PutTraits(const R::Traits& s, std::string* o) {
  PutInt32(1, s.recency, o);
  PutInt32(2, s.frequency, o);
  PutInt32(3, s.monetary, o);
  PutString(4, s.lifecycle_stage, o);
  PutDouble(5, s.churn_risk, o);
  PutAmount(6, s.predicted_ltv, o);
}

template <typename T, typename Put>
void PutOptional(int field, const T& sub, Put put, std::string* out) {
  if (!sub.set) return;
  PutMessage(field, out, [&](std::string* o) { put(sub, o); });
}

void PutProfile(const R::Profile& p, std::string* o) {
  PutString(1, p.customer_id, o);
  for (const auto& e : p.emails) PutBytes(2, e, o);
  for (const auto& e : p.phones) PutBytes(3, e, o);
  // Map entries in key order (deterministic serialisation), key and value
  // always written.
  for (const auto& [k, v] : p.external_ids) {
    PutMessage(4, o, [&](std::string* e) {
      PutBytes(1, k, e);
      PutBytes(2, v, e);
    });
  }
  PutString(5, p.first_name, o);
  PutString(6, p.last_name, o);
  PutOptional(7, p.orders, PutOrders, o);
  PutOptional(8, p.returns, PutReturns, o);
  PutOptional(9, p.support, PutSupport, o);
  PutOptional(10, p.email, PutEmail, o);
  PutOptional(11, p.checkout, PutCheckout, o);
  PutOptional(12, p.traits, PutTraits, o);
  PutTime(13, p.first_seen_at, o);
  PutTime(14, p.last_event_at, o);
  PutInt64(15, p.events_applied, o);
}

void PutRulesBody(const R::Rules& r, std::string* o) {
  PutBool(1, r.first_purchase_fired, o);
  PutBool(2, r.vip_fired, o);
  PutInt64(3, r.last_marketing_micros, o);
  PutInt64(4, r.last_refund_micros, o);
  if (!r.ticket_created_micros.empty()) {  // packed
    PutMessage(5, o, [&](std::string* p) {
      for (int64_t t : r.ticket_created_micros) {
        PutVarint(static_cast<uint64_t>(t), p);
      }
    });
  }
  PutInt64(6, r.last_escalation_micros, o);
  for (const auto& s : r.bad_rated_tickets) PutBytes(7, s, o);
  for (const auto& s : r.reviewed_orders) PutBytes(8, s, o);
  PutInt64(9, r.churn_armed_last_order_micros, o);
  for (const auto& t : r.timers) {
    PutMessage(10, o, [&](std::string* m) {
      PutString(1, t.kind, m);
      PutInt64(2, t.due_micros, m);
      PutString(3, t.anchor_event_id, m);
      PutInt64(4, t.anchor_micros, m);
      PutString(5, t.ref, m);
    });
  }
  if (r.published_set) {
    PutMessage(11, o, [&](std::string* m) {
      PutFixed64(1, r.published_crm, m);
      PutFixed64(2, r.published_esp_profile, m);
      PutFixed64(3, r.published_erp, m);
    });
  }
}

}  // namespace

void EncodeCustomer(const CustomerRecord& r, bool with_rules,
                    std::string* out) {
  PutOptional(1, r.profile, PutProfile, out);
  PutInt64(2, r.first_seen_micros, out);
  PutInt64(3, r.last_event_micros, out);
  PutInt64(4, r.consent_at_micros, out);
  PutInt64(5, r.checkout_updated_micros, out);
  PutInt64(6, r.satisfaction_at_micros, out);
  PutInt64(7, r.names_at_micros, out);
  for (const auto& c : r.closed_checkouts) {
    PutMessage(8, out, [&](std::string* m) {
      PutString(1, c.token, m);
      PutInt64(2, c.at_micros, m);
    });
  }
  for (const auto& k : r.identifier_keys) PutBytes(9, k, out);
  PutBool(10, r.derived_id, out);
  if (with_rules) {
    PutOptional(20, r.rules, PutRulesBody, out);
  } else {
    PutTag(20, kLen, out);  // rules set and empty, as the processor writes
    out->push_back(0);
  }
}

void EncodeRules(const CustomerRecord::Rules& r, std::string* out) {
  PutRulesBody(r, out);
}

}  // namespace custhub::profile
