// The hub's metrics: after each RunOnce the poll thread copies the
// processor's counters and the hub's lags and outbox depth into the
// MetricsRegistry that GET /metrics renders on the HTTP thread. Counters are
// totals since the hub started; Prometheus computes rates from them.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/common/time.h"
#include "streams/hub.h"

namespace custhub::streams {
namespace {

// The contract's trigger kinds, exported at zero until one fires.
constexpr const char* kTriggerKinds[] = {
    "first_purchase",     "abandoned_cart",      "post_purchase_review",
    "win_back",           "vip_upgrade",         "churn_risk",
    "support_escalation", "deliverability_alert"};

std::vector<double> SecondsBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
          0.25,  0.5,    1,     2.5,  5,     10,   30};
}

}  // namespace

void Hub::UpdateMetrics(Micros batch_micros, int64_t oldest_ms,
                        int64_t newest_ms) {
  MetricsRegistry& m = *metrics_;
  const ProcessorStats& st = processor_->stats();
  auto total = [&](const char* name, const char* help, uint64_t v) {
    m.Counter(name, help).Set({}, static_cast<double>(v));
  };
  total("custhub_records_total", "Input records consumed.", st.records);
  total("custhub_duplicates_total",
        "Retried deliveries dropped (events whose id was already seen).",
        st.duplicates);
  total("custhub_merges_total", "Customers merged into another.", st.merges);
  total("custhub_renames_total",
        "Customers moved to the id their earliest event derives.", st.renames);
  total("custhub_refused_links_total",
        "Identity links refused by the per-identifier limit.",
        st.refused_links);
  total("custhub_customers_created_total", "Customers created.",
        st.customers_created);
  total("custhub_held_refunds_total", "Refunds held until their order arrives.",
        st.held_refunds);
  total("custhub_erasures_total", "Customers erased.", st.erasures);
  total("custhub_erased_dropped_total", "Events of erased customers dropped.",
        st.erased_dropped);
  total("custhub_profiles_published_total", "Profile records published.",
        st.profiles_published);
  total("custhub_batches_total", "Poll batches committed.", st.batches);
  total("custhub_consume_errors_total",
        "Errors the consumer reported instead of records (faults).",
        consume_errors_);
  total("custhub_merge_waits_expired_total",
        "Times the input merge went ahead without a silent partition "
        "(--merge-wait); fold order may then differ from a replay's.",
        merge_.stats().waits_expired);
  total("custhub_merge_forced_total",
        "Records the input merge released because its buffer was full.",
        merge_.stats().forced);
  total("custhub_merge_pauses_total",
        "Input partitions paused because the merge held more than their "
        "share of records while waiting for others.",
        merge_.stats().pauses);
  m.Gauge("custhub_merge_buffered",
          "Records polled and held until every partition is known.")
      .Set({}, static_cast<double>(merge_.buffered()));

  auto& events =
      m.Counter("custhub_events_total",
                "Events folded into state, by source and event type.");
  for (const auto& [key, n] : st.events_by_type) {
    events.Set({{"source", key.first}, {"event_type", key.second}},
               static_cast<double>(n));
  }
  auto& dlq = m.Counter(
      "custhub_dlq_total",
      "Records sent to the DLQ, by reason (the field before the first ':').");
  for (const auto& [reason, n] : st.dlq_by_reason) {
    dlq.Set({{"reason", reason}}, static_cast<double>(n));
  }
  total("custhub_triggers_fired_total", "Triggers fired (not suppressed).",
        st.triggers_fired);
  total("custhub_triggers_suppressed_total",
        "Triggers suppressed (published with suppressed_by set).",
        st.triggers_suppressed);
  auto& triggers = m.Counter("custhub_triggers_total",
                             "Triggers by kind, fired and suppressed.");
  for (const char* kind : kTriggerKinds) {
    for (const char* outcome : {"fired", "suppressed"}) {
      triggers.Add({{"kind", kind}, {"outcome", outcome}}, 0);
    }
  }
  for (const auto& [kind_outcome, n] : st.triggers_by_kind) {
    triggers.Set(
        {{"kind", kind_outcome.first}, {"outcome", kind_outcome.second}},
        static_cast<double>(n));
  }

  m.Gauge("custhub_outbox_in_flight",
          "Outputs sent to the broker and not yet confirmed.")
      .Set({}, static_cast<double>(publisher_->InFlight()));
  auto& lag = m.Gauge(
      "custhub_consumer_lag_records",
      "Records between the committed offset and the high watermark last seen.");
  const auto& committed = processor_->committed_offsets();
  for (const auto& tp : assignment_) {
    auto wm =
        kafka::CachedWatermarks(consumer_->handle(), tp.topic, tp.partition);
    if (!wm.ok()) continue;  // not fetched yet
    auto it = committed.find({tp.topic, tp.partition});
    int64_t next = it == committed.end() ? wm->first : it->second;
    lag.Set({{"topic", tp.topic}, {"partition", absl::StrCat(tp.partition)}},
            static_cast<double>(std::max<int64_t>(0, wm->second - next)));
  }
  Micros now = WallNowMicros();
  if (processor_->stream_time() > 0) {
    m.Gauge("custhub_event_time_lag_seconds",
            "Wall clock minus the newest event time folded.")
        .Set({}, static_cast<double>(now - processor_->stream_time()) / 1e6);
  }
  if (batch_micros < 0) return;
  m.Histogram("custhub_fold_batch_seconds",
              "Wall time to fold and commit one poll batch.", SecondsBuckets())
      .Observe({}, static_cast<double>(batch_micros) / 1e6);
  if (oldest_ms < 0) return;
  int64_t now_ms = now / 1000;
  m.Histogram("custhub_end_to_end_lag_seconds",
              "From a batch's oldest broker timestamp to its commit.",
              SecondsBuckets())
      .Observe(
          {{"clock", "broker"}},
          static_cast<double>(std::max<int64_t>(0, now_ms - oldest_ms)) / 1e3);
  m.Gauge("custhub_broker_time_lag_seconds",
          "Commit time minus the newest broker timestamp of the last batch.")
      .Set({},
           static_cast<double>(std::max<int64_t>(0, now_ms - newest_ms)) / 1e3);
}

}  // namespace custhub::streams
