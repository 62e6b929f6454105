// custhub_engine: measurement (d) of `custhub bench` on its own, for
// profilers (callgrind, perf) that should not see the embedded broker.
//
//   build/bench/custhub_engine [records] [customers] [dir]
//   (CUSTHUB_CACHED_CUSTOMERS=N and CUSTHUB_CACHED_IDENTIFIERS=N size the
//   state caches; CUSTHUB_BATCH=N folds N records per batch instead of the
//   hub's default; CUSTHUB_NO_STATS=1 skips the state sizes after the run,
//   whose reopen a profile would see)
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "bench/measure.h"
#include "bench/memory.h"
#include "src/store/state_store.h"
#include "streams/processor.h"

int main(int argc, char** argv) {
  int64_t records = argc > 1 ? std::atoll(argv[1]) : 20000;
  int customers = argc > 2 ? std::atoi(argv[2]) : 20000;
  std::string dir = argc > 3 ? argv[3] : "/tmp/custhub-engine-bench";
  std::filesystem::remove_all(dir);
  custhub::synth::SynthOptions so;
  so.customers = customers;
  so.seed = 42;
  so.interleave = true;
  so.skew = 0.8;
  so.max_records = 2 * records;
  // CUSTHUB_CACHED_CUSTOMERS: the customer cache's size, for sizing it.
  custhub::streams::ProcessorOptions po;
  if (const char* c = std::getenv("CUSTHUB_CACHED_CUSTOMERS")) {
    po.cached_customers = std::strtoul(c, nullptr, 10);
  }
  if (const char* c = std::getenv("CUSTHUB_CACHED_IDENTIFIERS")) {
    po.cached_identifiers = std::strtoul(c, nullptr, 10);
  }
  size_t batch = 0;
  if (const char* b = std::getenv("CUSTHUB_BATCH")) {
    batch = std::strtoul(b, nullptr, 10);
  }
  auto rate = custhub::bench::MeasureEngine(so, records, 16, dir, po, batch);
  if (!rate.ok()) {
    std::fprintf(stderr, "%s\n", rate.status().ToString().c_str());
    return 1;
  }
  std::printf(
      "%lld records, %lld events in %.3f s: %.0f events/s, peak RSS "
      "%.0f MiB\n",
      static_cast<long long>(rate->records),
      static_cast<long long>(rate->events), rate->seconds,
      rate->EventsPerSecond(),
      custhub::bench::ProcessPeakRssBytes() / 1048576.0);
  std::printf(
      "poll thread: fold %.2f s, start commit %.2f s, wait for write %.2f s, "
      "wait for input %.2f s\n",
      rate->fold_s, rate->start_s, rate->finish_s, rate->input_s);
  // State size: what (f) of `custhub bench` reports, and per family the
  // logical bytes (keys and values) that make it up.
  if (std::getenv("CUSTHUB_NO_STATS") != nullptr) return 0;
  auto store = custhub::store::StateStore::Open({.path = dir});
  std::map<int, uint64_t> before;  // family -> bytes on disk before compacting
  if (store.ok() && (*store)->Flush().ok()) {
    for (int cf = 0; cf < custhub::store::kCfCount; ++cf) {
      before[cf] = (*store)->DiskBytes(static_cast<custhub::store::Cf>(cf));
    }
    std::printf("state on disk %.1f MiB as the run left it\n",
                (*store)->DiskBytes() / 1048576.0);
    // A processor's Init tells the store the seen-id expiry, so the full
    // compaction drops what the hub's own compactions would in time.
    custhub::streams::BatchProcessor processor(store->get(), {});
    if (!processor.Init().ok() || !(*store)->CompactAll().ok()) {
      std::fprintf(stderr, "compaction failed\n");
      return 1;
    }
    int64_t customers = 0;
    auto counted = (*store)->ForEach(custhub::store::Cf::kProfiles, "",
                                     [&](absl::string_view, absl::string_view) {
                                       ++customers;
                                       return true;
                                     });
    std::printf(
        "after a full compaction %.1f MiB for %lld customers = %.0f "
        "bytes/customer\n",
        (*store)->DiskBytes() / 1048576.0, static_cast<long long>(customers),
        customers > 0 && counted.ok()
            ? static_cast<double>((*store)->DiskBytes()) / customers
            : 0.0);
    for (int cf = 0; cf < custhub::store::kCfCount; ++cf) {
      int64_t n = 0, bytes = 0;
      auto s = (*store)->ForEach(static_cast<custhub::store::Cf>(cf), "",
                                 [&](absl::string_view k, absl::string_view v) {
                                   ++n;
                                   bytes += k.size() + v.size();
                                   return true;
                                 });
      if (s.ok() && n > 0) {
        auto family = static_cast<custhub::store::Cf>(cf);
        std::printf(
            "  %-12s %8lld records %10lld logical bytes %10llu on disk "
            "(%llu before compacting)\n",
            custhub::store::CfName(family), static_cast<long long>(n),
            static_cast<long long>(bytes),
            static_cast<unsigned long long>((*store)->DiskBytes(family)),
            static_cast<unsigned long long>(before[cf]));
      }
    }
  }
  store = absl::InternalError("closed");
  std::filesystem::remove_all(dir);
  return 0;
}
