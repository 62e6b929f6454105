#include "bench/measure.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/common/hash.h"
#include "src/common/status.h"
#include "src/common/time.h"
#include "streams/processor.h"

namespace custhub::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

const size_t kBatch = streams::HubOptions().batch_max;  // the hub default
constexpr size_t kValueBytes = 300;

double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  size_t k =
      std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

}  // namespace

absl::StatusOr<Rate> MeasureRawConsume(const BenchCluster& cluster,
                                       int64_t expected) {
  CUSTHUB_ASSIGN_OR_RETURN(auto consumer,
                           kafka::Consumer::Create({cluster.bootstrap(), {}}));
  Rate rate;
  auto start = Clock::now();
  CUSTHUB_RETURN_IF_ERROR(consumer->Assign(cluster.InputAssignment()));
  auto deadline = start + std::chrono::seconds(60 + expected / 2000);
  while (rate.records < expected) {
    CUSTHUB_ASSIGN_OR_RETURN(auto batch, consumer->PollBatch(kBatch, 100));
    for (const auto& m : batch) rate.records += m.error().ok() ? 1 : 0;
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "raw consume: ", rate.records, " of ", expected, " records arrived"));
    }
  }
  rate.events = rate.records;
  rate.seconds = Since(start);
  return rate;
}

absl::StatusOr<Rate> MeasureRawRocksDb(const std::string& dir, int64_t keys) {
  CUSTHUB_ASSIGN_OR_RETURN(
      auto store, store::StateStore::Open({.path = dir, .sync = true}));
  // Values are slices of a random pool: as incompressible as serialised
  // state mostly is, without paying for randomness inside the timing.
  std::string pool(1 << 16, '\0');
  std::mt19937_64 rng(7);
  for (char& c : pool) c = static_cast<char>(rng());
  store::StateBatch batch;
  Rate rate;
  auto start = Clock::now();
  for (int64_t i = 0; i < keys; ++i) {
    uint64_t h = Hash64(absl::StrCat(i));
    batch.Put(store::Cf::kProfiles, absl::StrCat("cus_", Hex64(h)),
              absl::string_view(pool).substr(h % (pool.size() - kValueBytes),
                                             kValueBytes));
    if (batch.Count() == kBatch || i + 1 == keys) {
      CUSTHUB_RETURN_IF_ERROR(store->Write(batch));
      batch.Clear();
    }
  }
  rate.records = rate.events = keys;
  rate.seconds = Since(start);
  return rate;
}

absl::StatusOr<Rate> MeasureEngine(const synth::SynthOptions& workload,
                                   int64_t count, int partitions,
                                   const std::string& dir,
                                   const streams::ProcessorOptions& options,
                                   size_t batch) {
  if (batch == 0) batch = kBatch;
  CUSTHUB_ASSIGN_OR_RETURN(
      auto store, store::StateStore::Open({.path = dir, .sync = true}));
  streams::BatchProcessor processor(store.get(), options);
  CUSTHUB_RETURN_IF_ERROR(processor.Init());
  // Batches come from a generator thread, two ahead at most, as polled
  // batches come from librdkafka's threads: the clock runs from the first
  // batch to the last write, generation included wherever it does not
  // overlap the engine's work.
  struct Chunk {
    std::vector<synth::SynthRecord> records;
    std::vector<streams::InputRecord> inputs;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::unique_ptr<Chunk>> ready;
  bool generated = false, stop = false;
  std::thread generator([&] {
    synth::SyntheticStream stream(workload);
    std::map<std::pair<std::string, int32_t>, int64_t> next_offset;
    int64_t made = 0;
    while (made < count) {
      auto c = std::make_unique<Chunk>();
      size_t n = stream.Next(static_cast<size_t>(std::min<int64_t>(
                                 static_cast<int64_t>(batch), count - made)),
                             &c->records);
      if (n == 0) break;
      made += static_cast<int64_t>(n);
      int64_t now_ms = WallNowMicros() / 1000;
      for (auto& r : c->records) {
        streams::InputRecord in;
        in.topic = r.topic;
        in.partition = PartitionOf(r.key, partitions);
        in.offset = next_offset[{r.topic, in.partition}]++;
        in.key = r.key;
        in.value = r.value;
        in.headers = std::move(r.headers);
        in.timestamp_ms = now_ms;
        c->inputs.push_back(std::move(in));
      }
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return ready.size() < 2 || stop; });
      if (stop) return;
      ready.push_back(std::move(c));
      cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu);
    generated = true;
    cv.notify_all();
  });
  auto next = [&]() -> std::unique_ptr<Chunk> {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return !ready.empty() || generated; });
    if (ready.empty()) return nullptr;
    auto c = std::move(ready.front());
    ready.pop_front();
    cv.notify_all();
    return c;
  };
  auto run = [&](Rate* rate) -> absl::Status {
    std::vector<uint64_t> delivered;
    std::vector<streams::Outbound> outputs;
    // The first batch is ready before the clock starts.
    std::unique_ptr<Chunk> c = next();
    auto start = Clock::now();
    auto lap = start;
    auto add_lap = [&](double* phase) {
      auto now = Clock::now();
      *phase += std::chrono::duration<double>(now - lap).count();
      lap = now;
    };
    for (; c != nullptr; c = next(), add_lap(&rate->input_s)) {
      // As the hub does: this batch folds while the one before is written.
      CUSTHUB_RETURN_IF_ERROR(processor.AddAll(c->inputs));
      add_lap(&rate->fold_s);
      CUSTHUB_RETURN_IF_ERROR(processor.FinishCommit(&outputs));
      add_lap(&rate->finish_s);
      // As if the broker confirmed them before this commit.
      delivered.clear();
      for (const auto& o : outputs) delivered.push_back(o.seq);
      CUSTHUB_RETURN_IF_ERROR(processor.StartCommit(delivered));
      add_lap(&rate->start_s);
      rate->records += static_cast<int64_t>(c->inputs.size());
    }
    CUSTHUB_RETURN_IF_ERROR(processor.FinishCommit(&outputs));
    rate->seconds = Since(start);
    return absl::OkStatus();
  };
  Rate rate;
  absl::Status s = run(&rate);
  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
    cv.notify_all();
  }
  generator.join();
  CUSTHUB_RETURN_IF_ERROR(s);
  rate.events = static_cast<int64_t>(processor.stats().events);
  return rate;
}

absl::StatusOr<Rate> RunHubUntil(streams::Hub& hub, int64_t records_total,
                                 int timeout_s) {
  int64_t before = static_cast<int64_t>(hub.stats().records);
  int64_t events_before = static_cast<int64_t>(hub.stats().events);
  auto start = Clock::now();
  auto deadline = start + std::chrono::seconds(timeout_s);
  for (;;) {
    CUSTHUB_ASSIGN_OR_RETURN(size_t n, hub.RunOnce());
    (void)n;
    if (static_cast<int64_t>(hub.stats().records) >= records_total &&
        hub.outbox_in_flight() == 0) {
      break;
    }
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("hub: ", hub.stats().records, " of ", records_total,
                       " records consumed, ", hub.outbox_in_flight(),
                       " outputs unconfirmed after ", timeout_s, " s"));
    }
  }
  Rate rate;
  rate.seconds = Since(start);
  rate.records = static_cast<int64_t>(hub.stats().records) - before;
  rate.events = static_cast<int64_t>(hub.stats().events) - events_before;
  return rate;
}

absl::StatusOr<Latency> MeasureLatency(streams::Hub& hub,
                                       const BenchCluster& cluster,
                                       std::vector<synth::SynthRecord> records,
                                       double rate) {
  // The hub reports each batch once the broker has confirmed all its
  // outputs, with when they were handed to the producer.
  std::vector<double> millis, sent_millis;
  millis.reserve(records.size() + 1024);
  sent_millis.reserve(records.size() + 1024);
  hub.SetPublishedProbe(
      [&](const std::vector<int64_t>& timestamps_ms, Micros sent_at) {
        Micros now = WallNowMicros();
        for (int64_t ts : timestamps_ms) {
          millis.push_back((now - ts * 1000) / 1000.0);
          sent_millis.push_back((sent_at - ts * 1000) / 1000.0);
        }
      });
  int64_t total = static_cast<int64_t>(hub.stats().records) +
                  static_cast<int64_t>(records.size());
  std::atomic<bool> stop{false};
  absl::StatusOr<ProduceResult> produced;
  std::thread producer([&] {
    produced = ProducePaced(cluster.bootstrap(), std::move(records), rate,
                            cluster.input_partitions(), stop);
  });
  double expected_s = static_cast<double>(total) / std::max(rate, 1.0);
  auto deadline = Clock::now() +
                  std::chrono::seconds(static_cast<int>(120 + 2 * expected_s));
  absl::Status ran;
  while (ran.ok()) {
    absl::StatusOr<size_t> n = hub.RunOnce();
    if (!n.ok()) {
      ran = n.status();
      break;
    }
    if (static_cast<int64_t>(hub.stats().records) >= total &&
        hub.outbox_in_flight() == 0) {
      break;
    }
    if (Clock::now() > deadline) {
      ran = absl::DeadlineExceededError(
          absl::StrCat("latency phase: ", hub.stats().records, " of ", total,
                       " records consumed"));
    }
  }
  stop.store(true);
  producer.join();
  hub.SetPublishedProbe(nullptr);
  CUSTHUB_RETURN_IF_ERROR(produced.status());
  CUSTHUB_RETURN_IF_ERROR(ran);
  Latency out;
  out.target_rate = rate;
  out.achieved_rate = produced->records / produced->seconds;
  out.samples = static_cast<int64_t>(millis.size());
  out.p50_ms = Percentile(millis, 0.50);
  out.p99_ms = Percentile(millis, 0.99);
  out.max_ms =
      millis.empty() ? 0 : *std::max_element(millis.begin(), millis.end());
  out.sent_p50_ms = Percentile(sent_millis, 0.50);
  out.sent_p99_ms = Percentile(sent_millis, 0.99);
  return out;
}

namespace {
absl::StatusOr<int64_t> CountCustomers(store::StateStore& store) {
  int64_t n = 0;
  CUSTHUB_RETURN_IF_ERROR(store.ForEach(
      store::Cf::kProfiles, "", [&](absl::string_view, absl::string_view) {
        ++n;
        return true;
      }));
  return n;
}
}  // namespace

absl::StatusOr<StateSize> MeasureState(store::StateStore& store) {
  CUSTHUB_RETURN_IF_ERROR(store.Flush());
  StateSize size;
  size.disk_bytes = store.DiskBytes();
  CUSTHUB_ASSIGN_OR_RETURN(size.customers, CountCustomers(store));
  return size;
}

absl::Status MeasureCompactedState(store::StateStore& store, StateSize* size) {
  CUSTHUB_RETURN_IF_ERROR(store.Flush());
  CUSTHUB_RETURN_IF_ERROR(store.CompactAll());
  size->compacted_bytes = store.DiskBytes();
  CUSTHUB_ASSIGN_OR_RETURN(size->compacted_customers, CountCustomers(store));
  return absl::OkStatus();
}

}  // namespace custhub::bench
