// The protobuf wire format of CustomerState and RulesState for
// CustomerRecord (record.h): which field goes where is written out here,
// since protobuf's parser only fills its own messages; numbers are written
// with protobuf's coders. Field numbers are those of state.proto,
// profile.proto, rules.proto and common.proto; a field added there must be
// added here (record_test compares every field with protobuf).
#include "src/profile/record.h"

#include <google/protobuf/io/coded_stream.h>

#include <algorithm>
#include <cstring>

#include "absl/base/casts.h"

namespace custhub::profile {
namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::io::CodedOutputStream;

enum WireType : int { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

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

// ---- Reading ---------------------------------------------------------------

// A message's bytes, read in place. Not protobuf's CodedInputStream: one
// per sub-message made reading ~1.45x slower (custhub_codec), and reading
// fast is the record's point. Numbers and limits as protobuf reads them.
class Reader {
 public:
  explicit Reader(absl::string_view b)
      : p_(b.data()), end_(b.data() + b.size()) {}
  bool done() const { return p_ == end_; }

  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      uint8_t b = static_cast<uint8_t>(*p_++);
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;  // more than ten bytes
  }
  bool Tag(int* field, int* wire_type) {
    uint64_t t;
    if (!Varint(&t) || t > 0xffffffffu) return false;
    *field = static_cast<int>(t >> 3);
    *wire_type = static_cast<int>(t & 7);
    return *field != 0;
  }
  bool Len(absl::string_view* s) {
    uint64_t n;
    if (!Varint(&n) || n > static_cast<uint64_t>(end_ - p_)) return false;
    *s = absl::string_view(p_, n);
    p_ += n;
    return true;
  }
  bool Fixed(int bytes, uint64_t* v) {
    if (end_ - p_ < bytes) return false;
    const auto* p = reinterpret_cast<const uint8_t*>(p_);
    if (bytes == 8) {
      CodedInputStream::ReadLittleEndian64FromArray(p, v);
    } else {
      uint32_t v32;
      CodedInputStream::ReadLittleEndian32FromArray(p, &v32);
      *v = v32;
    }
    p_ += bytes;
    return true;
  }
  bool Skip(int wire_type) {
    uint64_t v;
    absl::string_view s;
    switch (wire_type) {
      case kVarint:
        return Varint(&v);
      case kFixed64:
        return Fixed(8, &v);
      case kLen:
        return Len(&s);
      case kFixed32:
        return Fixed(4, &v);
      default:
        return false;  // groups: not in these messages
    }
  }

 private:
  const char* p_;
  const char* end_;
};

// What a field handler made of a field: read, not one it knows (skipped as
// an unknown field, as protobuf does with a known field of another wire
// type), or bytes that do not parse.
enum class Field { kRead, kUnknown, kBad };

// Calls `on(reader, field, wire_type)` for each field of a message.
template <typename On>
bool ForEachField(absl::string_view bytes, On on) {
  Reader r(bytes);
  while (!r.done()) {
    int field, wire_type;
    if (!r.Tag(&field, &wire_type)) return false;
    switch (on(r, field, wire_type)) {
      case Field::kRead:
        break;
      case Field::kUnknown:
        if (!r.Skip(wire_type)) return false;
        break;
      case Field::kBad:
        return false;
    }
  }
  return true;
}

Field ReadU64(Reader& r, int wire_type, uint64_t* v) {
  if (wire_type != kVarint) return Field::kUnknown;
  return r.Varint(v) ? Field::kRead : Field::kBad;
}

Field Read(Reader& r, int wire_type, int64_t* v) {
  uint64_t u;
  Field f = ReadU64(r, wire_type, &u);
  if (f == Field::kRead) *v = static_cast<int64_t>(u);
  return f;
}

Field Read(Reader& r, int wire_type, int32_t* v) {
  uint64_t u;
  Field f = ReadU64(r, wire_type, &u);
  if (f == Field::kRead) *v = static_cast<int32_t>(static_cast<uint32_t>(u));
  return f;
}

Field Read(Reader& r, int wire_type, bool* v) {
  uint64_t u;
  Field f = ReadU64(r, wire_type, &u);
  if (f == Field::kRead) *v = u != 0;
  return f;
}

Field Read(Reader& r, int wire_type, double* v) {
  if (wire_type != kFixed64) return Field::kUnknown;
  uint64_t u;
  if (!r.Fixed(8, &u)) return Field::kBad;
  *v = absl::bit_cast<double>(u);
  return Field::kRead;
}

Field ReadFixed64(Reader& r, int wire_type, uint64_t* v) {
  if (wire_type != kFixed64) return Field::kUnknown;
  return r.Fixed(8, v) ? Field::kRead : Field::kBad;
}

Field Read(Reader& r, int wire_type, std::string* v) {
  if (wire_type != kLen) return Field::kUnknown;
  absl::string_view s;
  if (!r.Len(&s)) return Field::kBad;
  v->assign(s.data(), s.size());
  return Field::kRead;
}

Field ReadAppend(Reader& r, int wire_type, std::vector<std::string>* v) {
  if (wire_type != kLen) return Field::kUnknown;
  absl::string_view s;
  if (!r.Len(&s)) return Field::kBad;
  v->emplace_back(s);
  return Field::kRead;
}

// A sub-message: merged into `*sub` (a repeated occurrence merges, as in
// protobuf), which becomes set.
template <typename T, typename Decode>
Field ReadMessage(Reader& r, int wire_type, T* sub, Decode decode) {
  if (wire_type != kLen) return Field::kUnknown;
  absl::string_view s;
  if (!r.Len(&s) || !decode(s, sub)) return Field::kBad;
  sub->set = true;
  return Field::kRead;
}

bool DecodeTime(absl::string_view b, Time* t) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &t->seconds);
      case 2:
        return Read(r, wt, &t->nanos);
      default:
        return Field::kUnknown;
    }
  });
}

bool DecodeAmount(absl::string_view b, Amount* a) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &a->minor);
      case 2:
        return Read(r, wt, &a->currency);
      default:
        return Field::kUnknown;
    }
  });
}

Field ReadTime(Reader& r, int wt, Time* t) {
  return ReadMessage(r, wt, t, DecodeTime);
}
Field ReadAmount(Reader& r, int wt, Amount* a) {
  return ReadMessage(r, wt, a, DecodeAmount);
}

bool DecodeOrders(absl::string_view b, R::Orders* s) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &s->count);
      case 2:
        return ReadTime(r, wt, &s->first_order_at);
      case 3:
        return ReadTime(r, wt, &s->last_order_at);
      case 4:
        return ReadAmount(r, wt, &s->gross_revenue);
      case 5:
        return ReadAmount(r, wt, &s->refunded);
      case 6:
        return ReadAmount(r, wt, &s->net_revenue);
      case 7:
        return ReadAmount(r, wt, &s->average_order_value);
      case 8:
        return Read(r, wt, &s->cancelled_count);
      case 9:
        return Read(r, wt, &s->open_count);
      case 10:
        return Read(r, wt, &s->items_bought);
      default:
        return Field::kUnknown;
    }
  });
}

bool DecodeReturns(absl::string_view b, R::Returns* s) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &s->count);
      case 2:
        return Read(r, wt, &s->items_returned);
      case 3:
        return Read(r, wt, &s->return_rate);
      case 4:
        return ReadTime(r, wt, &s->last_return_at);
      default:
        return Field::kUnknown;
    }
  });
}

bool DecodeSupport(absl::string_view b, R::Support* s) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &s->open_tickets);
      case 2:
        return Read(r, wt, &s->total_tickets);
      case 3:
        return ReadTime(r, wt, &s->last_ticket_at);
      case 4:
        return Read(r, wt, &s->last_satisfaction);
      default:
        return Field::kUnknown;
    }
  });
}

bool DecodeEmail(absl::string_view b, R::Email* s) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &s->consent);
      case 2:
        return Read(r, wt, &s->delivered);
      case 3:
        return Read(r, wt, &s->opens);
      case 4:
        return Read(r, wt, &s->clicks);
      case 5:
        return Read(r, wt, &s->bounces);
      case 6:
        return Read(r, wt, &s->spam_complaints);
      case 7:
        return ReadTime(r, wt, &s->last_open_at);
      case 8:
        return ReadTime(r, wt, &s->last_click_at);
      default:
        return Field::kUnknown;
    }
  });
}

bool DecodeCheckout(absl::string_view b, R::Checkout* s) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &s->open);
      case 2:
        return ReadAmount(r, wt, &s->value);
      case 3:
        return ReadTime(r, wt, &s->since);
      case 4:
        return Read(r, wt, &s->checkout_token);
      default:
        return Field::kUnknown;
    }
  });
}

bool DecodeTraits(absl::string_view b, R::Traits* s) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &s->recency);
      case 2:
        return Read(r, wt, &s->frequency);
      case 3:
        return Read(r, wt, &s->monetary);
      case 4:
        return Read(r, wt, &s->lifecycle_stage);
      case 5:
        return Read(r, wt, &s->churn_risk);
      case 6:
        return ReadAmount(r, wt, &s->predicted_ltv);
      default:
        return Field::kUnknown;
    }
  });
}

// A map entry: a later entry for a key replaces the earlier one; a missing
// key or value is empty.
Field ReadMapEntry(Reader& r, int wt,
                   std::vector<std::pair<std::string, std::string>>* map) {
  if (wt != kLen) return Field::kUnknown;
  absl::string_view s;
  if (!r.Len(&s)) return Field::kBad;
  std::string key, value;
  bool ok = ForEachField(s, [&](Reader& e, int f, int ewt) {
    switch (f) {
      case 1:
        return Read(e, ewt, &key);
      case 2:
        return Read(e, ewt, &value);
      default:
        return Field::kUnknown;
    }
  });
  if (!ok) return Field::kBad;
  auto it = std::lower_bound(
      map->begin(), map->end(), key,
      [](const auto& entry, const std::string& k) { return entry.first < k; });
  if (it != map->end() && it->first == key) {
    it->second = std::move(value);
  } else {
    map->emplace(it, std::move(key), std::move(value));
  }
  return Field::kRead;
}

bool DecodeProfile(absl::string_view b, R::Profile* p) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &p->customer_id);
      case 2:
        return ReadAppend(r, wt, &p->emails);
      case 3:
        return ReadAppend(r, wt, &p->phones);
      case 4:
        return ReadMapEntry(r, wt, &p->external_ids);
      case 5:
        return Read(r, wt, &p->first_name);
      case 6:
        return Read(r, wt, &p->last_name);
      case 7:
        return ReadMessage(r, wt, &p->orders, DecodeOrders);
      case 8:
        return ReadMessage(r, wt, &p->returns, DecodeReturns);
      case 9:
        return ReadMessage(r, wt, &p->support, DecodeSupport);
      case 10:
        return ReadMessage(r, wt, &p->email, DecodeEmail);
      case 11:
        return ReadMessage(r, wt, &p->checkout, DecodeCheckout);
      case 12:
        return ReadMessage(r, wt, &p->traits, DecodeTraits);
      case 13:
        return ReadTime(r, wt, &p->first_seen_at);
      case 14:
        return ReadTime(r, wt, &p->last_event_at);
      case 15:
        return Read(r, wt, &p->events_applied);
      default:
        return Field::kUnknown;
    }
  });
}

bool DecodeClosedCheckout(absl::string_view b, R::ClosedCheckout* c) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &c->token);
      case 2:
        return Read(r, wt, &c->at_micros);
      default:
        return Field::kUnknown;
    }
  });
}

bool DecodeTimer(absl::string_view b, R::Timer* t) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &t->kind);
      case 2:
        return Read(r, wt, &t->due_micros);
      case 3:
        return Read(r, wt, &t->anchor_event_id);
      case 4:
        return Read(r, wt, &t->anchor_micros);
      case 5:
        return Read(r, wt, &t->ref);
      default:
        return Field::kUnknown;
    }
  });
}

// A repeated message field's element: decoded into a new element.
template <typename T, typename Decode>
Field ReadElement(Reader& r, int wt, std::vector<T>* v, Decode decode) {
  if (wt != kLen) return Field::kUnknown;
  absl::string_view s;
  if (!r.Len(&s)) return Field::kBad;
  v->emplace_back();
  return decode(s, &v->back()) ? Field::kRead : Field::kBad;
}

// ticket_created_micros: packed as written, unpacked accepted.
Field ReadInt64s(Reader& r, int wt, std::vector<int64_t>* v) {
  if (wt == kVarint) {
    int64_t x;
    Field f = Read(r, wt, &x);
    if (f == Field::kRead) v->push_back(x);
    return f;
  }
  if (wt != kLen) return Field::kUnknown;
  absl::string_view s;
  if (!r.Len(&s)) return Field::kBad;
  Reader packed(s);
  while (!packed.done()) {
    uint64_t u;
    if (!packed.Varint(&u)) return Field::kBad;
    v->push_back(static_cast<int64_t>(u));
  }
  return Field::kRead;
}

struct Published {
  bool set = false;
  uint64_t* crm;
  uint64_t* esp_profile;
  uint64_t* erp;
};

bool DecodePublished(absl::string_view b, Published* p) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return ReadFixed64(r, wt, p->crm);
      case 2:
        return ReadFixed64(r, wt, p->esp_profile);
      case 3:
        return ReadFixed64(r, wt, p->erp);
      default:
        return Field::kUnknown;
    }
  });
}

bool DecodeRulesInto(absl::string_view b, R::Rules* s) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return Read(r, wt, &s->first_purchase_fired);
      case 2:
        return Read(r, wt, &s->vip_fired);
      case 3:
        return Read(r, wt, &s->last_marketing_micros);
      case 4:
        return Read(r, wt, &s->last_refund_micros);
      case 5:
        return ReadInt64s(r, wt, &s->ticket_created_micros);
      case 6:
        return Read(r, wt, &s->last_escalation_micros);
      case 7:
        return ReadAppend(r, wt, &s->bad_rated_tickets);
      case 8:
        return ReadAppend(r, wt, &s->reviewed_orders);
      case 9:
        return Read(r, wt, &s->churn_armed_last_order_micros);
      case 10:
        return ReadElement(r, wt, &s->timers, DecodeTimer);
      case 11: {
        Published p{false, &s->published_crm, &s->published_esp_profile,
                    &s->published_erp};
        Field got = ReadMessage(r, wt, &p, DecodePublished);
        s->published_set |= p.set;
        return got;
      }
      default:
        return Field::kUnknown;
    }
  });
}

bool DecodeCustomerInto(absl::string_view b, R* c) {
  return ForEachField(b, [&](Reader& r, int f, int wt) {
    switch (f) {
      case 1:
        return ReadMessage(r, wt, &c->profile, DecodeProfile);
      case 2:
        return Read(r, wt, &c->first_seen_micros);
      case 3:
        return Read(r, wt, &c->last_event_micros);
      case 4:
        return Read(r, wt, &c->consent_at_micros);
      case 5:
        return Read(r, wt, &c->checkout_updated_micros);
      case 6:
        return Read(r, wt, &c->satisfaction_at_micros);
      case 7:
        return Read(r, wt, &c->names_at_micros);
      case 8:
        return ReadElement(r, wt, &c->closed_checkouts, DecodeClosedCheckout);
      case 9:
        return ReadAppend(r, wt, &c->identifier_keys);
      case 10:
        return Read(r, wt, &c->derived_id);
      case 20:
        return ReadMessage(r, wt, &c->rules, DecodeRulesInto);
      default:
        return Field::kUnknown;
    }
  });
}

}  // namespace

absl::Status DecodeCustomer(absl::string_view bytes, CustomerRecord* out) {
  *out = CustomerRecord();
  if (!DecodeCustomerInto(bytes, out)) {
    *out = CustomerRecord();
    return absl::InvalidArgumentError("customer state: bytes do not parse");
  }
  return absl::OkStatus();
}

absl::Status DecodeRules(absl::string_view bytes, CustomerRecord::Rules* out) {
  *out = CustomerRecord::Rules();
  if (!DecodeRulesInto(bytes, out)) {
    *out = CustomerRecord::Rules();
    return absl::InvalidArgumentError("rules state: bytes do not parse");
  }
  return absl::OkStatus();
}

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

absl::StatusOr<std::optional<int64_t>> FirstTimerDue(absl::string_view rules) {
  std::optional<int64_t> due;
  bool ok = ForEachField(rules, [&](Reader& r, int f, int wt) {
    if (f != 10 || wt != kLen || due.has_value()) return Field::kUnknown;
    absl::string_view timer;
    if (!r.Len(&timer)) return Field::kBad;
    int64_t at = 0;
    bool read = ForEachField(timer, [&](Reader& t, int tf, int twt) {
      return tf == 2 ? Read(t, twt, &at) : Field::kUnknown;
    });
    if (!read) return Field::kBad;
    due = at;
    return Field::kRead;
  });
  if (!ok) return absl::InvalidArgumentError("rules state: bytes do not parse");
  return due;
}

}  // namespace custhub::profile
