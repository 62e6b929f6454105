#include "src/synth/synthetic_store.h"

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/common/time.h"

namespace custhub::synth {
namespace {

constexpr const char* kFirst[] = {"Ann",   "Ben",  "Carla", "Dev",  "Eva",
                                  "Farid", "Gwen", "Hiro",  "Inès", "Jonas",
                                  "Kemi",  "Lena", "Malik", "Nora", "Zoë"};
constexpr const char* kLast[] = {"Lee",    "Okafor", "Schmidt", "Rossi",
                                 "Tanaka", "Silva",  "Novak",   "Haddad",
                                 "Berg",   "Moreau", "Patel",   "Kowalski"};
constexpr const char* kProducts[][2] = {
    {"TEE-ORG-BLK-M", "Organic Tee"},   {"HOOD-RCY-GRN-L", "Recycled Hoodie"},
    {"SOCK-CRW-CHR-M", "Merino Sock"},  {"BEANIE-TRL", "Trail Beanie"},
    {"CAP-CTN-NVY", "Cotton Cap"},      {"BAG-TOTE-NAT", "Canvas Tote"}};

constexpr Micros kStart = 1767225600LL * kMicrosPerSecond;  // 2026-01-01Z

// Shopify writes local times with the shop's offset.
std::string ShopTime(Micros t) {
  return FormatRfc3339(t - 5 * kMicrosPerHour).substr(0, 19) + "-05:00";
}

std::string Price(int64_t minor) {
  return absl::StrFormat("%d.%02d", minor / 100, minor % 100);
}

class Builder {
 public:
  Builder(const SynthOptions& o, std::vector<SynthRecord>* out, int* dups,
          int* dup_events)
      : o_(o), rng_(o.seed), out_(out), dups_(dups), dup_events_(dup_events) {}

  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::string DeliveryId() {
    return absl::StrFormat("%08x-%04x-4%03x-a%03x-%012x", rng_() & 0xffffffff,
                           rng_() & 0xffff, rng_() & 0xfff, rng_() & 0xfff,
                           rng_() & 0xffffffffffffULL);
  }

  // Emits one webhook delivery, and sometimes the platform's retry of it.
  void Emit(const std::string& topic, const std::string& key,
            const std::string& source, const std::string& type,
            const std::string& body, int events = 1) {
    SynthRecord r;
    r.topic = topic;
    r.key = key;
    r.value = body;
    r.headers = {{"source", source}, {"content-type", "application/json"}};
    if (!type.empty()) r.headers.emplace_back("event-type", type);
    if (source != "sendgrid") r.headers.emplace_back("event-id", DeliveryId());
    out_->push_back(r);
    if (Chance(o_.duplicate_rate)) {
      out_->push_back(std::move(r));
      ++*dups_;
      *dup_events_ += events;
    }
  }

 private:
  const SynthOptions& o_;
  std::mt19937_64 rng_;
  std::vector<SynthRecord>* out_;
  int* dups_;
  int* dup_events_;
};

struct Shopper {
  ExpectedCustomer* want;
  std::string display_email;  // as the shop has it: mixed case
  std::string first, last;
  int64_t shopify_id;
};

std::string ShopifyCustomer(const Shopper& s) {
  return absl::StrCat(R"({"id":)", s.shopify_id, R"(,"email":")",
                      s.display_email, R"(","first_name":")", s.first,
                      R"(","last_name":")", s.last, R"(","phone":")",
                      s.want->phone, R"(","verified_email":true,"state":"enabled"})");
}

std::string ShopifyOrder(const Shopper& s, int64_t order_id, int64_t total,
                         const std::string& currency,
                         const std::vector<std::pair<int, int>>& lines,
                         Micros created, Micros updated, bool fulfilled,
                         bool cancelled) {
  std::string items;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto* p = kProducts[lines[i].first];
    absl::StrAppend(&items, i ? "," : "", R"({"id":)", order_id * 10 + i,
                    R"(,"sku":")", p[0], R"(","title":")", p[1],
                    R"(","quantity":)", lines[i].second, R"(,"price":"19.00",)",
                    R"("requires_shipping":true,"taxable":true,"fulfillable_quantity":)",
                    fulfilled ? 0 : lines[i].second, "}");
  }
  return absl::StrCat(
      R"({"id":)", order_id, R"(,"name":"#)", order_id % 100000,
      R"(","email":")", s.display_email, R"(","created_at":")",
      ShopTime(created), R"(","updated_at":")", ShopTime(updated),
      R"(","processed_at":")", ShopTime(created), R"(","currency":")", currency,
      R"(","total_price":")", Price(total), R"(","subtotal_price":")",
      Price(total), R"(","total_tax":"0.00","financial_status":")",
      cancelled ? "voided" : "paid", R"(","fulfillment_status":)",
      fulfilled ? R"("fulfilled")" : "null", R"(,"cancelled_at":)",
      cancelled ? "\"" + ShopTime(updated) + "\"" : "null",
      R"(,"cancel_reason":)", cancelled ? R"("customer")" : "null",
      R"(,"checkout_token":"ck)", order_id, R"(","phone":null,"tags":"",)",
      R"("buyer_accepts_marketing":false,"customer":)", ShopifyCustomer(s),
      R"(,"billing_address":{"first_name":")", s.first, R"(","last_name":")",
      s.last, R"(","address1":"1 Market St","city":"Springfield","country_code":"US","phone":")",
      s.want->phone, R"("},"line_items":[)", items, "]}");
}

}  // namespace

SyntheticStore::SyntheticStore(const SynthOptions& o) {
  Builder b(o, &records_, &duplicates_, &duplicate_events_);
  for (int i = 0; i < o.customers; ++i) {
    Shopper s;
    s.first = kFirst[b.Uniform(0, std::size(kFirst) - 1)];
    s.last = kLast[b.Uniform(0, std::size(kLast) - 1)];
    s.shopify_id = 6405000000LL + i;
    ExpectedCustomer c;
    s.display_email = absl::StrCat(s.first, ".", s.last, ".", i, "@Example.com");
    c.email = absl::AsciiStrToLower(s.display_email);
    c.phone = absl::StrFormat("+1415555%04d", i % 10000);
    s.want = &c;
    Micros t0 = kStart + b.Uniform(0, 200) * kMicrosPerDay +
                b.Uniform(0, 86399) * kMicrosPerSecond;

    int orders = b.Uniform(0, 4);
    for (int j = 0; j < orders; ++j) {
      int64_t order_id = 5512000000000LL + i * 10LL + j;
      Micros created = t0 + j * 20 * kMicrosPerDay;
      std::vector<std::pair<int, int>> lines;
      int items = 0;
      for (int l = b.Uniform(1, 3); l > 0; --l) {
        lines.emplace_back(b.Uniform(0, std::size(kProducts) - 1), b.Uniform(1, 2));
        items += lines.back().second;
      }
      int64_t total = b.Uniform(1000, 30000);
      b.Emit("orders", c.email, "shopify", "orders/create",
             ShopifyOrder(s, order_id, total, o.currency, lines, created,
                          created, false, false));
      ++events_;
      if (b.Chance(0.05)) {
        b.Emit("orders", c.email, "shopify", "orders/cancelled",
               ShopifyOrder(s, order_id, total, o.currency, lines, created,
                            created + kMicrosPerHour, false, true));
        ++events_;
        ++c.cancelled;
        continue;
      }
      ++c.orders;
      c.gross_minor += total;
      c.items_bought += items;
      if (b.Chance(0.6)) {
        b.Emit("orders", c.email, "shopify", "orders/fulfilled",
               ShopifyOrder(s, order_id, total, o.currency, lines, created,
                            created + 2 * kMicrosPerDay, true, false));
        ++events_;
      }
      if (b.Chance(0.2)) {
        int64_t amount = b.Uniform(100, static_cast<int>(total / 2));
        bool returned = b.Chance(0.5);
        Micros at = created + 5 * kMicrosPerDay;
        // A refund names only its order; custhub finds the customer.
        std::string line_items =
            returned ? absl::StrCat(R"([{"id":)", order_id + 7,
                                    R"(,"quantity":1,"line_item_id":)",
                                    order_id * 10, R"(,"restock_type":"return"}])")
                     : "[]";
        b.Emit("returns", std::to_string(order_id), "shopify", "refunds/create",
               absl::StrCat(R"({"id":)", order_id + 3, R"(,"order_id":)", order_id,
                            R"(,"created_at":")", ShopTime(at),
                            R"(","note":"customer return","restock":true,)",
                            R"("refund_line_items":)", line_items,
                            R"(,"transactions":[{"id":)", order_id + 5,
                            R"(,"order_id":)", order_id,
                            R"(,"kind":"refund","gateway":"shopify_payments","status":"success","amount":")",
                            Price(amount), R"(","currency":")", o.currency,
                            R"("}],"order_adjustments":[]})"));
        ++events_;
        c.refunded_minor += amount;
        c.items_returned += returned ? 1 : 0;
      }
    }
    if (b.Chance(0.3)) {
      std::string ticket = std::to_string(35000 + i);
      Micros at = t0 + b.Uniform(1, 30) * kMicrosPerDay;
      auto ticket_json = [&](const char* status, Micros updated) {
        return absl::StrCat(
            R"({"ticket_id":")", ticket, R"(","status":")", status,
            R"(","requester_email":")", s.display_email,
            R"(","requester_phone":")", c.phone,
            R"(","requester_external_id":"","subject":"Where is my order?",)",
            R"("priority":"normal","satisfaction":"","tags":"shipping order_status",)",
            R"("created_at":")", FormatRfc3339(at), R"(","updated_at":")",
            FormatRfc3339(updated), R"("})");
      };
      b.Emit("support", c.email, "zendesk", "ticket.created",
             ticket_json("open", at));
      ++events_;
      ++c.tickets;
      if (b.Chance(0.7)) {
        b.Emit("support", c.email, "zendesk", "ticket.solved",
               ticket_json("solved", at + kMicrosPerDay));
        ++events_;
      } else {
        ++c.open_tickets;
      }
    }
    int mails = b.Uniform(0, 4);
    for (int m = 0; m < mails; ++m) {
      Micros at = t0 + m * 7 * kMicrosPerDay + kMicrosPerHour;
      std::string batch = "[";
      int in_batch = 0;
      std::string msg = absl::StrFormat("%x.filter%04d.%d", s.shopify_id, m, i);
      for (const char* kind : {"delivered", "open", "click"}) {
        std::string k = kind;
        if (k == "open" && !b.Chance(0.5)) break;
        if (k == "click" && !b.Chance(0.4)) break;
        absl::StrAppend(&batch, batch.size() > 1 ? "," : "", R"({"email":")",
                        c.email, R"(","timestamp":)", at / kMicrosPerSecond,
                        R"(,"event":")", kind, R"(","sg_event_id":")",
                        b.DeliveryId(), R"(","sg_message_id":")", msg,
                        R"(","category":["newsletter"]})");
        ++events_;
        ++in_batch;
        if (k == "delivered") ++c.delivered;
        if (k == "open") ++c.opens;
        if (k == "click") ++c.clicks;
      }
      b.Emit("email", c.email, "sendgrid", "", batch + "]", in_batch);
    }
    expected_.emplace(c.email, std::move(c));
  }
  // The dirt real webhooks bring: a truncated body, an order nobody can be
  // found for, money that is not money, and a platform custhub does not know.
  const std::pair<const char*, std::string> bad[] = {
      {"shopify", R"({"id":5599000000001,"email":"trunc@example.com","total_price":"12.)"},
      {"shopify", R"({"id":5599000000002,"created_at":"2026-03-01T10:00:00-05:00","updated_at":"2026-03-01T10:00:00-05:00","currency":"USD","total_price":"5.00","line_items":[]})"},
      {"shopify", R"({"id":5599000000003,"email":"bad.money@example.com","created_at":"2026-03-01T10:00:00-05:00","updated_at":"2026-03-01T10:00:00-05:00","currency":"USD","total_price":"12.345","line_items":[]})"},
      {"myspace", R"({"id":1})"}};
  for (int k = 0; k < o.malformed; ++k) {
    SynthRecord r;
    r.topic = "orders";
    r.key = absl::StrCat("bad-", k);
    r.value = bad[k % std::size(bad)].second;
    r.headers = {{"source", bad[k % std::size(bad)].first},
                 {"event-type", "orders/create"},
                 {"event-id", absl::StrCat("bad-", k)},
                 {"content-type", "application/json"}};
    records_.push_back(std::move(r));
    ++malformed_;
  }
}

}  // namespace custhub::synth
