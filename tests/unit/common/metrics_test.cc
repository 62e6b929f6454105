#include "src/common/metrics.h"

#include <catch2/catch.hpp>
#include <limits>
#include <thread>
#include <vector>

using custhub::FormatMetricValue;
using custhub::MetricsRegistry;

TEST_CASE("counters and gauges render as Prometheus text lines", "[metrics]") {
  MetricsRegistry r;
  auto& events = r.Counter("custhub_events_total", "Events folded.");
  events.Add({{"source", "shopify"}, {"event_type", "orders/create"}}, 2);
  events.Add({{"source", "shopify"}, {"event_type", "orders/create"}}, 1);
  events.Add({{"source", "zendesk"}, {"event_type", "ticket.created"}}, 1);
  r.Gauge("custhub_outbox_in_flight", "Outputs not yet confirmed.").Set({}, 7);
  CHECK(r.Render() ==
        "# HELP custhub_events_total Events folded.\n"
        "# TYPE custhub_events_total counter\n"
        "custhub_events_total{source=\"shopify\",event_type=\"orders/create\"} "
        "3\n"
        "custhub_events_total{source=\"zendesk\",event_type=\"ticket.created\"}"
        " 1\n"
        "# HELP custhub_outbox_in_flight Outputs not yet confirmed.\n"
        "# TYPE custhub_outbox_in_flight gauge\n"
        "custhub_outbox_in_flight 7\n");
  CHECK(events.Value(
            {{"source", "shopify"}, {"event_type", "orders/create"}}) == 3);
  CHECK(events.Value({{"source", "nope"}}) == 0);
}

TEST_CASE("label values and help text are escaped", "[metrics]") {
  MetricsRegistry r;
  r.Counter("custhub_dlq_total", "Records sent\nto the \\ DLQ.")
      .Add({{"reason", "body: \"x\" \\ y\nz"}}, 1);
  CHECK(r.Render() ==
        "# HELP custhub_dlq_total Records sent\\nto the \\\\ DLQ.\n"
        "# TYPE custhub_dlq_total counter\n"
        "custhub_dlq_total{reason=\"body: \\\"x\\\" \\\\ y\\nz\"} 1\n");
}

TEST_CASE("histogram buckets are cumulative with +Inf, sum and count",
          "[metrics]") {
  MetricsRegistry r;
  auto& h =
      r.Histogram("custhub_fold_batch_seconds", "Fold time.", {0.25, 0.5, 1});
  h.Observe({}, 0.125);
  h.Observe({}, 0.25);  // on a bound: counts in that bucket (le)
  h.Observe({}, 0.375);
  h.Observe({}, 30);
  CHECK(r.Render() ==
        "# HELP custhub_fold_batch_seconds Fold time.\n"
        "# TYPE custhub_fold_batch_seconds histogram\n"
        "custhub_fold_batch_seconds_bucket{le=\"0.25\"} 2\n"
        "custhub_fold_batch_seconds_bucket{le=\"0.5\"} 3\n"
        "custhub_fold_batch_seconds_bucket{le=\"1\"} 3\n"
        "custhub_fold_batch_seconds_bucket{le=\"+Inf\"} 4\n"
        "custhub_fold_batch_seconds_sum 30.75\n"
        "custhub_fold_batch_seconds_count 4\n");
}

TEST_CASE("histogram labels come before le", "[metrics]") {
  MetricsRegistry r;
  r.Histogram("lag_seconds", "Lag.", {1}).Observe({{"clock", "broker"}}, 2);
  CHECK(r.Render() ==
        "# HELP lag_seconds Lag.\n"
        "# TYPE lag_seconds histogram\n"
        "lag_seconds_bucket{clock=\"broker\",le=\"1\"} 0\n"
        "lag_seconds_bucket{clock=\"broker\",le=\"+Inf\"} 1\n"
        "lag_seconds_sum{clock=\"broker\"} 2\n"
        "lag_seconds_count{clock=\"broker\"} 1\n");
}

TEST_CASE(
    "families render in name order, and the same name returns the same family",
    "[metrics]") {
  MetricsRegistry r;
  r.Gauge("b", "B.").Set({}, 1);
  r.Counter("a", "A.").Set({}, 2);
  r.Gauge("b", "ignored").Add({}, 1);
  CHECK(r.Render() ==
        "# HELP a A.\n# TYPE a counter\na 2\n"
        "# HELP b B.\n# TYPE b gauge\nb 2\n");
  r.Gauge("b", "B.").Clear();
  CHECK(r.Render() ==
        "# HELP a A.\n# TYPE a counter\na 2\n"
        "# HELP b B.\n# TYPE b gauge\n");
}

TEST_CASE("values print as Prometheus reads them", "[metrics]") {
  CHECK(FormatMetricValue(0) == "0");
  CHECK(FormatMetricValue(12345678901) == "12345678901");
  CHECK(FormatMetricValue(-3) == "-3");
  CHECK(FormatMetricValue(0.25) == "0.25");
  CHECK(FormatMetricValue(1e-6) == "1e-06");
  CHECK(FormatMetricValue(1e300) == "1e+300");
  CHECK(FormatMetricValue(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(FormatMetricValue(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(FormatMetricValue(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

TEST_CASE("updates from many threads are all counted", "[metrics]") {
  MetricsRegistry r;
  auto& c = r.Counter("n_total", "N.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) c.Add({{"k", "v"}}, 1);
    });
  }
  std::thread reader([&] {
    for (int i = 0; i < 100; ++i) (void)r.Render();
  });
  for (auto& t : threads) t.join();
  reader.join();
  CHECK(c.Value({{"k", "v"}}) == 40000);
}
