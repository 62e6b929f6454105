// Building blocks of the synthetic webhooks, shared by SyntheticStore (whole
// customer histories) and SyntheticStream (interleaved, skewed): the
// platforms' JSON bodies and the delivery emitter with its retries.
// Internal to src/synth.
//
//   Builder b(options, &records, &dups, &dup_events);
//   b.Emit("orders", email, "shopify", "orders/create",
//          ShopifyOrder(shopper, id, 4200, "USD", lines, t, t, false, false));
//
// Thread-safety: a Builder belongs to one thread.
#pragma once

#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "src/common/time.h"
#include "src/synth/synthetic_store.h"

namespace custhub::synth::internal {

inline constexpr const char* kFirst[] = {
    "Ann",  "Ben",   "Carla", "Dev",  "Eva",   "Farid", "Gwen", "Hiro",
    "Inès", "Jonas", "Kemi",  "Lena", "Malik", "Nora",  "Zoë"};
inline constexpr const char* kLast[] = {
    "Lee",   "Okafor", "Schmidt", "Rossi",  "Tanaka", "Silva",
    "Novak", "Haddad", "Berg",    "Moreau", "Patel",  "Kowalski"};
inline constexpr const char* kProducts[][2] = {
    {"TEE-ORG-BLK-M", "Organic Tee"},  {"HOOD-RCY-GRN-L", "Recycled Hoodie"},
    {"SOCK-CRW-CHR-M", "Merino Sock"}, {"BEANIE-TRL", "Trail Beanie"},
    {"CAP-CTN-NVY", "Cotton Cap"},     {"BAG-TOTE-NAT", "Canvas Tote"}};

inline constexpr Micros kStart =
    1767225600LL * kMicrosPerSecond;  // 2026-01-01Z

// Shopify writes local times with the shop's offset.
std::string ShopTime(Micros t);
std::string Price(int64_t minor);

class Builder {
 public:
  Builder(const SynthOptions& o, std::vector<SynthRecord>* out, int* dups,
          int* dup_events)
      : o_(o), rng_(o.seed), out_(out), dups_(dups), dup_events_(dup_events) {}

  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  double Real() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  std::string DeliveryId() {
    return absl::StrFormat("%08x-%04x-4%03x-a%03x-%012x", rng_() & 0xffffffff,
                           rng_() & 0xffff, rng_() & 0xfff, rng_() & 0xfff,
                           rng_() & 0xffffffffffffULL);
  }
  // Where Emit appends from now on.
  void set_out(std::vector<SynthRecord>* out) { out_ = out; }

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

std::string ShopifyCustomer(const Shopper& s);

std::string ShopifyOrder(const Shopper& s, int64_t order_id, int64_t total,
                         const std::string& currency,
                         const std::vector<std::pair<int, int>>& lines,
                         Micros created, Micros updated, bool fulfilled,
                         bool cancelled);

// A Shopify refund: it names only its order; custhub finds the customer.
std::string ShopifyRefund(int64_t order_id, Micros at, int64_t amount,
                          bool returned, const std::string& currency);

// The Zendesk trigger template of the contract.
std::string ZendeskTicket(const std::string& ticket, const char* status,
                          const std::string& display_email,
                          const std::string& phone, Micros created,
                          Micros updated);

// One element of a SendGrid Event Webhook array.
std::string SendGridEvent(const std::string& email, Micros at,
                          const std::string& kind, const std::string& event_id,
                          const std::string& message_id);

// The dirt real webhooks bring, cycled through by index.
SynthRecord MalformedRecord(int k);

}  // namespace custhub::synth::internal
