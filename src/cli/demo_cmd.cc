// `custhub demo`: an embedded broker, a synthetic store, the real hub.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/api/lookup.h"
#include "src/cli/commands.h"
#include "src/common/log.h"
#include "src/kafka/mock_cluster.h"
#include "src/publish/outputs.h"
#include "src/synth/synthetic_store.h"
#include "streams/hub.h"

namespace custhub::cli {
namespace {

absl::Status ProduceAll(const std::string& bootstrap,
                        const std::vector<synth::SynthRecord>& records) {
  size_t failed = 0;
  auto producer = kafka::Producer::Create(
      {bootstrap, {}}, [&](uint64_t, absl::Status s) { failed += !s.ok(); });
  if (!producer.ok()) return producer.status();
  uint64_t tag = 0;
  for (const auto& r : records) {
    kafka::OutRecord out{r.topic, r.key, r.value, false, r.headers};
    for (;;) {
      absl::Status s = (*producer)->Produce(out, ++tag);
      if (s.ok()) break;
      if (!absl::IsResourceExhausted(s)) return s;
      (*producer)->Poll(50);
    }
  }
  if (auto s = (*producer)->Flush(30000); !s.ok()) return s;
  if (failed > 0) {
    return absl::UnavailableError(
        absl::StrCat(failed, " records not produced"));
  }
  return absl::OkStatus();
}

void PrintProfile(store::StateStore& store, const std::string& email,
                  const char* why) {
  auto state = api::LookupCustomer(store, email);
  if (!state.ok() || !state->has_value()) return;
  std::printf("\n-- %s (%s)\n%s\n", email.c_str(), why,
              publish::ProfileJson((*state)->profile(), true).c_str());
}

}  // namespace

int RunDemo(const DemoArgs& args) {
  using Clock = std::chrono::steady_clock;
  std::string dir = args.state_dir;
  bool temporary = dir.empty();
  if (temporary) {
    dir = (std::filesystem::temp_directory_path() /
           absl::StrCat("custhub-demo-", getpid()))
              .string();
    std::filesystem::remove_all(dir);
  }
  auto cluster = kafka::MockCluster::Start(3);
  if (!cluster.ok()) return Fail(cluster.status());
  streams::HubOptions options;
  options.bootstrap = (*cluster)->bootstrap();
  options.state_dir = dir;
  options.batch_max = 5000;
  for (const auto& t :
       streams::AllContractTopics(options.inputs, options.processor.outputs)) {
    if (auto s = (*cluster)->CreateTopic(t, 8); !s.ok()) return Fail(s);
  }
  std::printf("custhub demo: embedded broker at %s\n",
              options.bootstrap.c_str());

  synth::SyntheticStore store({.customers = args.customers, .seed = args.seed});
  std::printf(
      "producing %zu webhook records (Shopify orders and refunds, "
      "Zendesk tickets, SendGrid batches; %d retried deliveries, %d "
      "malformed) for %d shoppers...\n",
      store.records().size(), store.duplicates(), store.malformed(),
      args.customers);
  if (auto s = ProduceAll(options.bootstrap, store.records()); !s.ok()) {
    return Fail(s);
  }

  auto hub = streams::Hub::Create(options);
  if (!hub.ok()) return Fail(hub.status());
  if (auto s = (*hub)->Start(); !s.ok()) return Fail(s);
  auto start = Clock::now();
  auto deadline = start + std::chrono::seconds(60);
  for (;;) {
    auto n = (*hub)->RunOnce();
    if (!n.ok()) return Fail(n.status());
    if (*n == 0) {
      auto done = (*hub)->CaughtUp();
      if (!done.ok()) return Fail(done.status());
      if (*done) break;
    }
    if (Clock::now() > deadline || StopRequested().load()) {
      return Fail(
          absl::DeadlineExceededError("demo: hub did not catch up in 60 s"));
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (auto s = (*hub)->Drain(10000); !s.ok()) return Fail(s);

  const auto& st = (*hub)->stats();
  uint64_t customers = 0;
  if (auto s =
          (*hub)->store()->ForEach(store::Cf::kProfiles, "",
                                   [&](absl::string_view, absl::string_view) {
                                     ++customers;
                                     return true;
                                   });
      !s.ok()) {
    return Fail(s);
  }
  std::printf("\n== summary ==\n");
  std::printf("records consumed      %llu\n", (unsigned long long)st.records);
  std::printf("events folded         %llu\n", (unsigned long long)st.events);
  std::printf("duplicates dropped    %llu\n",
              (unsigned long long)st.duplicates);
  std::printf("dead-lettered (DLQ)   %llu\n", (unsigned long long)st.dlq);
  for (const auto& [reason, n] : st.dlq_by_reason) {
    std::printf("  %-20s %llu\n", reason.c_str(), (unsigned long long)n);
  }
  std::printf("customers             %llu\n", (unsigned long long)customers);
  std::printf("profiles published    %llu\n",
              (unsigned long long)st.profiles_published);
  std::printf("merges                %llu\n", (unsigned long long)st.merges);
  std::printf(
      "triggers fired        %llu (%llu more published as suppressed)\n",
      (unsigned long long)st.triggers_fired,
      (unsigned long long)st.triggers_suppressed);
  std::printf("batches committed     %llu\n", (unsigned long long)st.batches);
  std::printf("caught up in           %.2f s (broker fetches included)\n",
              seconds);
  std::printf(
      "fold + commit rate    %.0f events/s (decode, identity, fold, "
      "one fsync'd RocksDB batch)\n",
      st.events / std::max(st.busy_micros / 1e6, 1e-6));
  auto digest = (*hub)->store()->Digest();
  if (digest.ok()) std::printf("state digest          %s\n", digest->c_str());

  // Three shoppers worth a look.
  std::string biggest, refunded, ticket;
  int64_t best = -1;
  for (const auto& [email, c] : store.expected()) {
    if (c.gross_minor > best) best = c.gross_minor, biggest = email;
    if (refunded.empty() && c.refunded_minor > 0 && c.items_returned > 0) {
      refunded = email;
    }
    if (ticket.empty() && c.open_tickets > 0 && c.orders > 0) ticket = email;
  }
  PrintProfile(*(*hub)->store(), biggest, "biggest spender");
  PrintProfile(*(*hub)->store(), refunded, "refund with a return");
  PrintProfile(*(*hub)->store(), ticket, "open support ticket");
  hub->reset();
  if (temporary) std::filesystem::remove_all(dir);
  return kExitOk;
}

}  // namespace custhub::cli
