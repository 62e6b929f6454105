// CustomerRecord (record.h) read from the protobuf wire format of
// CustomerState and RulesState, as protobuf reads it (fields in any order,
// repeated sub-messages merged, packed or unpacked numbers, unknown fields
// skipped): which field goes where is written out here, since protobuf's
// parser fills only its own messages. Field numbers as in record_encode.cc.
#include <google/protobuf/io/coded_stream.h>

#include <algorithm>

#include "absl/base/casts.h"
#include "src/profile/record.h"

namespace custhub::profile {
namespace {

using google::protobuf::io::CodedInputStream;

enum WireType : int { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

using R = CustomerRecord;

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
