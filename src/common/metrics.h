// A small thread-safe metrics registry: counters and gauges with labels,
// histograms with fixed buckets, rendered in Prometheus' text exposition
// format (version 0.0.4) for `GET /metrics`.
//
//   MetricsRegistry registry;
//   auto& events = registry.Counter("custhub_events_total", "Events folded.");
//   events.Add({{"source", "shopify"}, {"event_type", "orders/create"}}, 1);
//   auto& fold = registry.Histogram("custhub_fold_batch_seconds",
//                                   "Fold and commit time per batch.",
//                                   {0.001, 0.01, 0.1, 1});
//   fold.Observe({}, 0.004);
//   std::string text = registry.Render();
//   // # HELP custhub_events_total Events folded.
//   // # TYPE custhub_events_total counter
//   // custhub_events_total{source="shopify",event_type="orders/create"} 1
//
// Lifecycle: the registry owns its families; references returned by
// Counter/Gauge/Histogram stay valid as long as the registry. Thread-safety:
// every method may be called from any thread (one mutex; the hub's poll
// thread updates once per batch, the HTTP thread renders).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace custhub {

// Label names and values, rendered in the order given. Names must match
// [a-zA-Z_][a-zA-Z0-9_]*; values may hold any UTF-8 (they are escaped).
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class MetricsRegistry;

// A counter or gauge family: one value per label set.
class ValueFamily {
 public:
  // Adds `delta` to the series (created at 0).
  void Add(const MetricLabels& labels, double delta);
  // Sets the series. For a counter, mirrors a total kept elsewhere (it must
  // not decrease, as Prometheus treats a decrease as a restart).
  void Set(const MetricLabels& labels, double value);
  // The current value, 0 for an unknown series.
  double Value(const MetricLabels& labels) const;
  // Drops every series (for gauges whose label sets come and go).
  void Clear();

 private:
  friend class MetricsRegistry;
  explicit ValueFamily(std::mutex* mu) : mu_(mu) {}
  std::mutex* mu_;
  std::map<MetricLabels, double> series_;
};

// A histogram family: cumulative buckets, sum and count per label set.
class HistogramFamily {
 public:
  void Observe(const MetricLabels& labels, double value);

 private:
  friend class MetricsRegistry;
  HistogramFamily(std::mutex* mu, std::vector<double> bounds)
      : mu_(mu), bounds_(std::move(bounds)) {}
  struct Series {
    std::vector<uint64_t> buckets;  // per bound, not cumulative; +Inf last
    double sum = 0;
    uint64_t count = 0;
  };
  std::mutex* mu_;
  std::vector<double> bounds_;  // ascending upper bounds, +Inf implied
  std::map<MetricLabels, Series> series_;
};

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The family named `name`, created on first use; later calls return the
  // same family (their `help` is ignored). A name already used for another
  // kind of metric is a programming error and aborts.
  ValueFamily& Counter(const std::string& name, const std::string& help);
  ValueFamily& Gauge(const std::string& name, const std::string& help);
  // `bounds`: ascending bucket upper bounds, without +Inf.
  HistogramFamily& Histogram(const std::string& name, const std::string& help,
                             std::vector<double> bounds);

  // Every family in name order, in Prometheus text exposition format.
  std::string Render() const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::unique_ptr<ValueFamily> values;
    std::unique_ptr<HistogramFamily> histogram;
  };
  ValueFamily& ValueOf(const std::string& name, const std::string& help,
                       Kind kind);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

// Prometheus' escaping of a label value: backslash, double quote, newline.
std::string EscapeLabelValue(absl::string_view value);
// A sample value as Prometheus reads it: shortest round-trip decimal,
// integers without a fraction, "+Inf", "-Inf", "NaN".
std::string FormatMetricValue(double value);

}  // namespace custhub
