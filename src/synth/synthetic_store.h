// A realistic synthetic store for the demo, the benchmark and the tests:
// shoppers with Shopify orders (created, fulfilled, cancelled) and partial
// refunds, Zendesk tickets and SendGrid event batches, as the platforms'
// own webhook bodies, plus the dirt real webhooks bring: retried deliveries
// and malformed records.
// It also computes what the folded profiles must show, so tests can check
// exact totals.
//
//   SyntheticStore store({.customers = 300, .seed = 7});
//   for (const auto& r : store.records()) produce(r);
//   const auto& want = store.expected().at("ann.lee.12@example.com");
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace custhub::synth {

struct SynthOptions {
  int customers = 300;        // Default: 300
  uint64_t seed = 42;         // Default: 42
  double duplicate_rate = 0.05;  // retried deliveries. Default: 5%
  // Bad records: truncated JSON, no identifiers, bad money, unknown source.
  int malformed = 4;  // Default: 4
  std::string currency = "USD";  // Default: USD
};

struct SynthRecord {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// What a customer's profile must show once every record is folded.
struct ExpectedCustomer {
  std::string email;
  std::string phone;
  int orders = 0;  // not cancelled
  int cancelled = 0;
  int64_t gross_minor = 0;
  int64_t refunded_minor = 0;
  int items_bought = 0;
  int items_returned = 0;
  int tickets = 0;
  int open_tickets = 0;
  int delivered = 0;
  int opens = 0;
  int clicks = 0;
};

class SyntheticStore {
 public:
  explicit SyntheticStore(const SynthOptions& options);

  // In production order per key: a customer's records keep their order.
  const std::vector<SynthRecord>& records() const { return records_; }
  // By email.
  const std::map<std::string, ExpectedCustomer>& expected() const {
    return expected_;
  }
  // Retried deliveries (records), and the events they carry.
  int duplicates() const { return duplicates_; }
  int duplicate_events() const { return duplicate_events_; }
  int malformed() const { return malformed_; }
  // Distinct valid events (duplicates and malformed records excluded).
  int events() const { return events_; }

 private:
  std::vector<SynthRecord> records_;
  std::map<std::string, ExpectedCustomer> expected_;
  int duplicates_ = 0;
  int duplicate_events_ = 0;
  int malformed_ = 0;
  int events_ = 0;
};

}  // namespace custhub::synth
