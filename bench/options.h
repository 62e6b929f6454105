// Options of `custhub bench`: the workload's size and shape, and which
// phases run. A plain struct; Validate() once before the run.
//
//   bench::BenchOptions o;
//   o.records = 20000;
//   o.customers = 5000;
//   CUSTHUB_RETURN_IF_ERROR(o.Validate());
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace custhub::bench {

struct BenchOptions {
  // Webhook records produced (retried and malformed ones included).
  // Default: 1000000
  int64_t records = 1000000;
  // Customers records are drawn from. Default: 200000
  int customers = 200000;
  // Zipf exponent of the customer draw (0: uniform). Default: 0.8
  double skew = 0.8;
  // Random seed of the workload. Default: 42
  uint64_t seed = 42;
  // Skip the paced latency phase. Default: false
  bool skip_latency = false;
  // How long the latency phase produces at half the end-to-end rate.
  // Default: 10
  double latency_seconds = 10;
  // Records per second of the latency phase; 0: half the end-to-end rate
  // measured in (c). Default: 0
  double latency_rate = 0;
  // Partitions per input topic; 0 sizes them so the embedded broker's
  // per-partition retention (5 MiB) holds every record. Default: 0
  int partitions = 0;

  absl::Status Validate() const;
};

}  // namespace custhub::bench
