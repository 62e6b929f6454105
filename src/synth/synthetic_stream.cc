// The interleaved, skewed workload of the benchmark. Each step either emits
// a follow-up that has come due (an order's fulfilment, cancellation or
// refund; a ticket's solution), a malformed record at its slot, or draws a
// customer (Zipf-like) and starts one episode for it. Event times follow
// the record index across a year, so the stream reads like a live store.
#include <algorithm>
#include <cmath>
#include <queue>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/synth/payloads.h"
#include "src/synth/synthetic_store.h"

namespace custhub::synth {
namespace {

using internal::Builder;
using internal::kFirst;
using internal::kLast;
using internal::kProducts;
using internal::kStart;
using internal::Shopper;

constexpr Micros kSpan = 365 * kMicrosPerDay;  // event time the stream covers

// A delivery that comes due later, with what it changes in the profile.
struct Deferred {
  int64_t due;     // record index at which it is emitted
  uint64_t order;  // tie-break: schedule order
  int customer;
  std::string topic, key, source, type, body;
  ExpectedCustomer delta;
  bool operator>(const Deferred& o) const {
    return due != o.due ? due > o.due : order > o.order;
  }
};

void AddCounts(ExpectedCustomer* to, const ExpectedCustomer& d) {
  to->orders += d.orders;
  to->cancelled += d.cancelled;
  to->gross_minor += d.gross_minor;
  to->refunded_minor += d.refunded_minor;
  to->items_bought += d.items_bought;
  to->items_returned += d.items_returned;
  to->tickets += d.tickets;
  to->open_tickets += d.open_tickets;
  to->delivered += d.delivered;
  to->opens += d.opens;
  to->clicks += d.clicks;
}

}  // namespace

struct SyntheticStream::Impl {
  Impl(const SynthOptions& o, bool track)
      : options(o),
        b(options, nullptr, &duplicates, &duplicate_events),
        track_expected(track) {
    total = o.max_records > 0 ? o.max_records : int64_t{6} * o.customers;
    drawn.assign(std::max(o.customers, 1), false);
    if (track) expected.resize(std::max(o.customers, 1));
    if (o.skew > 0) {
      cdf.resize(std::max(o.customers, 1));
      double sum = 0;
      for (size_t k = 0; k < cdf.size(); ++k) {
        sum += 1.0 / std::pow(static_cast<double>(k + 1), o.skew);
        cdf[k] = sum;
      }
    }
    // Ids are distinct per seed, so a second stream with another seed adds
    // new orders and tickets for the same customers.
    id_base = static_cast<int64_t>(o.seed % 1000);
  }

  int DrawCustomer() {
    if (cdf.empty()) return b.Uniform(0, std::max(options.customers, 1) - 1);
    double x = b.Real() * cdf.back();
    return static_cast<int>(std::upper_bound(cdf.begin(), cdf.end(), x) -
                            cdf.begin());
  }

  // The customer's identity is a function of its index, not of the draws.
  Shopper ShopperOf(int i, ExpectedCustomer* c) {
    uint64_t h = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL;
    Shopper s;
    s.first = kFirst[(h >> 33) % std::size(kFirst)];
    s.last = kLast[(h >> 45) % std::size(kLast)];
    s.shopify_id = 6405000000LL + i;
    s.display_email =
        absl::StrCat(s.first, ".", s.last, ".", i, "@Example.com");
    c->email = absl::AsciiStrToLower(s.display_email);
    // Unique and valid E.164 for up to 8M customers (exchanges 200-999).
    c->phone = absl::StrFormat("+1415%03d%04d", 200 + i / 10000, i % 10000);
    s.want = c;
    return s;
  }

  Micros Now() const { return kStart + kSpan / total * produced; }

  void Defer(int64_t delay, int customer, std::string topic, std::string key,
             std::string source, std::string type, std::string body,
             const ExpectedCustomer& d) {
    pending.push(Deferred{produced + delay, next_deferred++, customer,
                          std::move(topic), std::move(key), std::move(source),
                          std::move(type), std::move(body), d});
  }

  // Emits one delivery (and maybe its retry) within the record budget.
  void EmitNow(std::vector<SynthRecord>* out, int customer,
               const std::string& topic, const std::string& key,
               const std::string& source, const std::string& type,
               const std::string& body, int events, const ExpectedCustomer& d) {
    size_t before = out->size();
    b.set_out(out);
    b.Emit(topic, key, source, type, body, events);
    if (produced + static_cast<int64_t>(out->size() - before) > total) {
      out->pop_back();  // the retry would overrun the budget
      --duplicates;
      duplicate_events -= events;
    }
    produced += static_cast<int64_t>(out->size() - before);
    events_ += events;
    if (!drawn[customer]) {
      drawn[customer] = true;
      ++customers_drawn;
    }
    if (track_expected) AddCounts(&expected[customer], d);
  }

  void OrderEpisode(std::vector<SynthRecord>* out, int i, const Shopper& s,
                    const ExpectedCustomer& c) {
    int64_t order_id = 5500000000000LL + id_base * 10000000000LL + next_order++;
    Micros created = Now();
    std::vector<std::pair<int, int>> lines;
    int items = 0;
    for (int l = b.Uniform(1, 3); l > 0; --l) {
      lines.emplace_back(b.Uniform(0, std::size(kProducts) - 1),
                         b.Uniform(1, 2));
      items += lines.back().second;
    }
    int64_t total_minor = b.Uniform(1000, 30000);
    const std::string& cur = options.currency;
    ExpectedCustomer d;
    d.orders = 1;
    d.gross_minor = total_minor;
    d.items_bought = items;
    EmitNow(out, i, "orders", c.email, "shopify", "orders/create",
            internal::ShopifyOrder(s, order_id, total_minor, cur, lines,
                                   created, created, false, false),
            1, d);
    if (b.Chance(0.05)) {
      ExpectedCustomer undo;
      undo.orders = -1;
      undo.gross_minor = -total_minor;
      undo.items_bought = -items;
      undo.cancelled = 1;
      Defer(
          b.Uniform(10, 500), i, "orders", c.email, "shopify",
          "orders/cancelled",
          internal::ShopifyOrder(s, order_id, total_minor, cur, lines, created,
                                 created + kMicrosPerHour, false, true),
          undo);
      return;
    }
    if (b.Chance(0.6)) {
      Defer(
          b.Uniform(100, 2000), i, "orders", c.email, "shopify",
          "orders/fulfilled",
          internal::ShopifyOrder(s, order_id, total_minor, cur, lines, created,
                                 created + 2 * kMicrosPerDay, true, false),
          ExpectedCustomer());
    }
    if (b.Chance(0.2)) {
      int64_t amount = b.Uniform(100, static_cast<int>(total_minor / 2));
      bool returned = b.Chance(0.5);
      ExpectedCustomer d2;
      d2.refunded_minor = amount;
      d2.items_returned = returned ? 1 : 0;
      Defer(b.Uniform(500, 5000), i, "returns", std::to_string(order_id),
            "shopify", "refunds/create",
            internal::ShopifyRefund(order_id, created + 5 * kMicrosPerDay,
                                    amount, returned, cur),
            d2);
    }
  }

  void TicketEpisode(std::vector<SynthRecord>* out, int i, const Shopper& s,
                     const ExpectedCustomer& c) {
    std::string ticket =
        std::to_string(100000000LL + id_base * 1000000000LL + next_ticket++);
    Micros at = Now();
    ExpectedCustomer d;
    d.tickets = 1;
    d.open_tickets = 1;
    EmitNow(out, i, "support", c.email, "zendesk", "ticket.created",
            internal::ZendeskTicket(ticket, "open", s.display_email, c.phone,
                                    at, at),
            1, d);
    if (b.Chance(0.7)) {
      ExpectedCustomer solved;
      solved.open_tickets = -1;
      Defer(b.Uniform(50, 1000), i, "support", c.email, "zendesk",
            "ticket.solved",
            internal::ZendeskTicket(ticket, "solved", s.display_email, c.phone,
                                    at, at + kMicrosPerDay),
            solved);
    }
  }

  void EmailEpisode(std::vector<SynthRecord>* out, int i, const Shopper& s,
                    const ExpectedCustomer& c) {
    Micros at = Now();
    std::string batch = "[";
    int in_batch = 0;
    ExpectedCustomer d;
    std::string msg = absl::StrFormat("%x.filter%04d.%d", s.shopify_id,
                                      next_mail++ % 10000, i);
    for (const char* kind : {"delivered", "open", "click"}) {
      std::string k = kind;
      if (k == "open" && !b.Chance(0.5)) break;
      if (k == "click" && !b.Chance(0.4)) break;
      std::string event_id = b.DeliveryId();
      absl::StrAppend(&batch, batch.size() > 1 ? "," : "",
                      internal::SendGridEvent(c.email, at, k, event_id, msg));
      ++in_batch;
      if (k == "delivered") ++d.delivered;
      if (k == "open") ++d.opens;
      if (k == "click") ++d.clicks;
    }
    EmitNow(out, i, "email", c.email, "sendgrid", "", batch + "]", in_batch, d);
  }

  void Step(std::vector<SynthRecord>* out) {
    // Malformed records sit at even slots through the stream.
    if (malformed < options.malformed &&
        produced >= total * (malformed + 1) / (options.malformed + 1)) {
      out->push_back(internal::MalformedRecord(malformed++));
      ++produced;
      return;
    }
    if (!pending.empty() && pending.top().due <= produced) {
      Deferred d = pending.top();
      pending.pop();
      EmitNow(out, d.customer, d.topic, d.key, d.source, d.type, d.body, 1,
              d.delta);
      return;
    }
    int i = DrawCustomer();
    ExpectedCustomer c;
    Shopper s = ShopperOf(i, &c);
    if (track_expected && expected[i].email.empty()) {
      expected[i].email = c.email;
      expected[i].phone = c.phone;
    }
    double r = b.Real();
    if (r < 0.45) {
      OrderEpisode(out, i, s, c);
    } else if (r < 0.52) {
      TicketEpisode(out, i, s, c);
    } else {
      EmailEpisode(out, i, s, c);
    }
  }

  SynthOptions options;
  int duplicates = 0;
  int duplicate_events = 0;
  Builder b;
  bool track_expected;
  int64_t total = 0;
  int64_t produced = 0;
  int64_t customers_drawn = 0;
  int malformed = 0;
  int events_ = 0;
  int64_t id_base = 0;
  int64_t next_order = 0;
  int64_t next_ticket = 0;
  int64_t next_mail = 0;
  uint64_t next_deferred = 0;
  std::vector<double> cdf;  // cumulative Zipf weights by customer
  std::vector<bool> drawn;
  std::vector<ExpectedCustomer> expected;
  std::priority_queue<Deferred, std::vector<Deferred>, std::greater<Deferred>>
      pending;
};

SyntheticStream::SyntheticStream(const SynthOptions& options,
                                 bool track_expected)
    : impl_(std::make_unique<Impl>(options, track_expected)) {}

SyntheticStream::~SyntheticStream() = default;

size_t SyntheticStream::Next(size_t max, std::vector<SynthRecord>* out) {
  size_t start = out->size();
  while (impl_->produced < impl_->total && out->size() - start < max) {
    impl_->Step(out);
  }
  return out->size() - start;
}

int64_t SyntheticStream::produced() const { return impl_->produced; }
int64_t SyntheticStream::total() const { return impl_->total; }
int64_t SyntheticStream::customers_drawn() const {
  return impl_->customers_drawn;
}
int SyntheticStream::duplicates() const { return impl_->duplicates; }
int SyntheticStream::duplicate_events() const {
  return impl_->duplicate_events;
}
int SyntheticStream::malformed() const { return impl_->malformed; }
int SyntheticStream::events() const { return impl_->events_; }

std::map<std::string, ExpectedCustomer> SyntheticStream::Expected() const {
  std::map<std::string, ExpectedCustomer> out;
  for (size_t i = 0; i < impl_->expected.size(); ++i) {
    if (impl_->drawn[i])
      out.emplace(impl_->expected[i].email, impl_->expected[i]);
  }
  return out;
}

}  // namespace custhub::synth
