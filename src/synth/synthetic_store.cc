#include "src/synth/synthetic_store.h"

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/common/time.h"

namespace custhub::synth {
namespace {

constexpr const char* kFirst[] = {"Ann",   "Ben",  "Carla", "Dev",  "Eva",
                                  "Farid", "Gwen", "Hiro",  "Ines", "Jonas",
                                  "Kemi",  "Lena", "Malik", "Nora", "Omar"};
constexpr const char* kLast[] = {"Lee",    "Okafor", "Schmidt", "Rossi",
                                 "Tanaka", "Silva",  "Novak",   "Haddad",
                                 "Berg",   "Moreau", "Patel",   "Kowalski"};

constexpr Micros kStart = 1767225600LL * kMicrosPerSecond;  // 2026-01-01Z

class Builder {
 public:
  Builder(const SynthOptions& o, std::vector<SynthRecord>* out)
      : o_(o), rng_(o.seed), out_(out) {}

  std::mt19937_64& rng() { return rng_; }
  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  // Emits one canonical event, and sometimes a retried delivery of it.
  void Emit(const std::string& topic, const std::string& key,
            const std::string& type, const std::string& json, int* dups) {
    SynthRecord r;
    r.topic = topic;
    r.key = key;
    r.value = json;
    r.headers = {{"source", "canonical"},
                 {"event-type", type},
                 {"event-id", absl::StrCat("evt-", ++event_seq_)},
                 {"content-type", "application/json"}};
    out_->push_back(r);
    if (Chance(o_.duplicate_rate)) {
      out_->push_back(std::move(r));
      ++*dups;
    }
  }

 private:
  const SynthOptions& o_;
  std::mt19937_64 rng_;
  std::vector<SynthRecord>* out_;
  uint64_t event_seq_ = 0;
};

std::string Ids(const ExpectedCustomer& c) {
  return absl::StrCat(R"("identifiers":{"emails":[")", c.email,
                      R"("],"phones":[")", c.phone, R"("]})");
}

std::string MoneyJson(int64_t minor, const std::string& currency) {
  return absl::StrCat(R"({"minor":")", minor, R"(","currency":")", currency,
                      R"("})");
}

}  // namespace

SyntheticStore::SyntheticStore(const SynthOptions& o) {
  Builder b(o, &records_);
  for (int i = 0; i < o.customers; ++i) {
    const char* first = kFirst[b.Uniform(0, std::size(kFirst) - 1)];
    const char* last = kLast[b.Uniform(0, std::size(kLast) - 1)];
    ExpectedCustomer c;
    c.email = absl::AsciiStrToLower(absl::StrCat(first, ".", last, ".", i,
                                                 "@example.com"));
    c.phone = absl::StrFormat("+1555%07d", i);
    Micros t0 = kStart + b.Uniform(0, 200) * kMicrosPerDay +
                b.Uniform(0, 86399) * kMicrosPerSecond;
    std::string names = absl::StrCat(R"("firstName":")", first,
                                     R"(","lastName":")", last, R"(")");
    int orders = b.Uniform(0, 4);
    for (int j = 0; j < orders; ++j) {
      std::string order_id = absl::StrCat("ORD-", i, "-", j);
      Micros created = t0 + j * 20 * kMicrosPerDay;
      int items = b.Uniform(1, 5);
      int64_t total = b.Uniform(1000, 30000);
      auto order_json = [&](Micros updated, const char* flags) {
        return absl::StrCat(
            R"({"source":"shop","eventType":"orders/create","occurredAt":")",
            FormatRfc3339(updated), R"(",)", Ids(c), ",", names,
            R"(,"order":{"orderId":")", order_id, R"(","total":)",
            MoneyJson(total, o.currency), R"(,"itemCount":)", items,
            R"(,"createdAt":")", FormatRfc3339(created), R"(","updatedAt":")",
            FormatRfc3339(updated), R"(")", flags, "}}");
      };
      b.Emit("orders", c.email, "orders/create", order_json(created, ""),
             &duplicates_);
      ++events_;
      if (b.Chance(0.05)) {
        b.Emit("orders", c.email, "orders/cancelled",
               order_json(created + kMicrosPerHour, R"(,"cancelled":true)"),
               &duplicates_);
        ++events_;
        ++c.cancelled;
        continue;
      }
      ++c.orders;
      c.gross_minor += total;
      c.items_bought += items;
      if (b.Chance(0.6)) {
        b.Emit("orders", c.email, "orders/fulfilled",
               order_json(created + 2 * kMicrosPerDay, R"(,"fulfilled":true)"),
               &duplicates_);
        ++events_;
      }
      if (b.Chance(0.2)) {
        int64_t amount = b.Uniform(100, static_cast<int>(total / 2));
        int returned = b.Chance(0.5) ? 1 : 0;
        Micros at = created + 5 * kMicrosPerDay;
        // A refund names only its order; custhub finds the customer.
        b.Emit("returns", order_id, "refunds/create",
               absl::StrCat(
                   R"({"source":"shop","eventType":"refunds/create","occurredAt":")",
                   FormatRfc3339(at), R"(","refund":{"refundId":"RF-)",
                   order_id, R"(","orderId":")", order_id, R"(","amount":)",
                   MoneyJson(amount, o.currency), R"(,"itemsReturned":)",
                   returned, "}}"),
               &duplicates_);
        ++events_;
        c.refunded_minor += amount;
        c.items_returned += returned;
      }
    }
    if (b.Chance(0.3)) {
      std::string ticket = absl::StrCat("T-", i);
      Micros at = t0 + b.Uniform(1, 30) * kMicrosPerDay;
      auto ticket_json = [&](const char* status, Micros updated) {
        return absl::StrCat(
            R"({"source":"helpdesk","eventType":"ticket.updated","occurredAt":")",
            FormatRfc3339(updated), R"(",)", Ids(c), R"(,"ticket":{"ticketId":")",
            ticket, R"(","status":")", status, R"(","subject":"Where is my order?","createdAt":")",
            FormatRfc3339(at), R"(","updatedAt":")", FormatRfc3339(updated),
            R"("}})");
      };
      b.Emit("support", c.email, "ticket.created", ticket_json("open", at),
             &duplicates_);
      ++events_;
      ++c.tickets;
      if (b.Chance(0.7)) {
        b.Emit("support", c.email, "ticket.solved",
               ticket_json("solved", at + kMicrosPerDay), &duplicates_);
        ++events_;
      } else {
        ++c.open_tickets;
      }
    }
    int mails = b.Uniform(0, 4);
    for (int m = 0; m < mails; ++m) {
      Micros at = t0 + m * 7 * kMicrosPerDay;
      for (const char* kind : {"DELIVERED", "OPENED", "CLICKED"}) {
        std::string k = kind;
        if (k == "OPENED" && !b.Chance(0.5)) break;
        if (k == "CLICKED" && !b.Chance(0.4)) break;
        b.Emit("email", c.email, "email." + absl::AsciiStrToLower(k),
               absl::StrCat(
                   R"({"source":"esp","eventType":"email","occurredAt":")",
                   FormatRfc3339(at + kMicrosPerHour), R"(","identifiers":{"emails":[")",
                   c.email, R"("]},"email":{"kind":")", kind,
                   R"(","messageId":"msg-)", i, "-", m, R"("}})"),
               &duplicates_);
        ++events_;
        if (k == "DELIVERED") ++c.delivered;
        if (k == "OPENED") ++c.opens;
        if (k == "CLICKED") ++c.clicks;
      }
    }
    expected_.emplace(c.email, std::move(c));
  }
  // The dirt: a truncated body, an order nobody can be found for, and money
  // that is not money.
  const std::string bad[] = {
      R"({"source":"shop","occurredAt":"2026-03-01T10:00:00Z","order":{"orderId":)",
      R"({"source":"shop","occurredAt":"2026-03-01T10:00:00Z","order":{"orderId":"ORD-X1","total":{"minor":"500","currency":"USD"}}})",
      R"({"source":"shop","occurredAt":"2026-03-01T10:00:00Z","identifiers":{"emails":["bad.money@example.com"]},"order":{"orderId":"ORD-X2","total":{"minor":"-500","currency":"usd"}}})"};
  for (int k = 0; k < o.malformed; ++k) {
    SynthRecord r;
    r.topic = "orders";
    r.key = absl::StrCat("bad-", k);
    r.value = bad[k % 3];
    r.headers = {{"source", "canonical"},
                 {"event-type", "orders/create"},
                 {"event-id", absl::StrCat("bad-", k)}};
    records_.push_back(std::move(r));
    ++malformed_;
  }
}

}  // namespace custhub::synth
