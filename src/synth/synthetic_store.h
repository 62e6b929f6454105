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
//
// The benchmark's workload is interleaved and skewed, and too big to hold:
// SyntheticStream hands it out in chunks.
//
//   SyntheticStream stream({.customers = 200000, .interleave = true,
//                           .skew = 0.8, .max_records = 1000000});
//   std::vector<SynthRecord> chunk;
//   while (stream.Next(50000, &chunk) > 0) { produce(chunk); chunk.clear(); }
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace custhub::synth {

struct SynthOptions {
  int customers = 300;           // Default: 300
  uint64_t seed = 42;            // Default: 42
  double duplicate_rate = 0.05;  // retried deliveries. Default: 5%
  // Bad records: truncated JSON, no identifiers, bad money, unknown source.
  int malformed = 4;             // Default: 4
  std::string currency = "USD";  // Default: USD
  // Interleaved mode (the benchmark's): each step draws a customer and emits
  // one episode (an order, whose fulfilment, cancellation or refund follows
  // some records later; a ticket and its solution; an email batch), so
  // customers interleave as on a live store. Off: each customer's whole
  // history at once. Default: false
  bool interleave = false;
  // Zipf exponent of the customer draw in interleaved mode: customer k is
  // drawn with weight 1/(k+1)^skew; 0 draws uniformly. Default: 0
  double skew = 0;
  // Records in interleaved mode (malformed and retried ones included); 0
  // means six per customer. Default: 0
  int64_t max_records = 0;
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

// The interleaved workload, generated on demand so a million records need
// not be held at once. Records come in production order; the same options
// give the same records. Lifecycle: Next() until it returns 0.
// Thread-safety: none.
class SyntheticStream {
 public:
  // `track_expected`: keep what each customer's profile must show (memory
  // grows with the customers drawn).
  explicit SyntheticStream(const SynthOptions& options,
                           bool track_expected = false);
  ~SyntheticStream();
  SyntheticStream(const SyntheticStream&) = delete;
  SyntheticStream& operator=(const SyntheticStream&) = delete;

  // Appends up to `max` further records to `out`; returns how many (0: done).
  size_t Next(size_t max, std::vector<SynthRecord>* out);

  int64_t produced() const;
  int64_t total() const;
  // Distinct customers with at least one record so far.
  int64_t customers_drawn() const;
  int duplicates() const;
  int duplicate_events() const;
  int malformed() const;
  int events() const;
  // By email, customers drawn so far; empty unless tracking.
  std::map<std::string, ExpectedCustomer> Expected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace custhub::synth
