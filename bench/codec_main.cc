// custhub_codec: what a customer's load and write cost as protobuf messages
// (the processor today: parse on the batch's arena, deterministic
// serialisation) against CustomerRecord (src/profile/record.h), over every
// customer of a state directory, e.g. the one custhub_engine leaves. Checks
// first that the record writes back each customer's stored bytes.
//
//   build/bench/custhub_engine 1000000 200000      # leaves the state below
//   build/bench/custhub_codec [/tmp/custhub-engine-bench] [rounds]
#include <google/protobuf/arena.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "custhub/v1/state.pb.h"
#include "proto/deterministic.h"
#include "src/profile/record.h"
#include "src/store/state_store.h"

namespace {

using custhub::store::Cf;
namespace v1 = custhub::v1;
namespace profile = custhub::profile;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : "/tmp/custhub-engine-bench";
  int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  auto store = custhub::store::StateStore::OpenReader(dir);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  // (profile bytes, rules bytes) per customer.
  std::vector<std::string> ids;
  std::vector<std::pair<std::string, std::string>> customers;
  auto s = (*store)->ForEach(Cf::kProfiles, "",
                             [&](absl::string_view k, absl::string_view v) {
                               ids.emplace_back(k);
                               customers.emplace_back(std::string(v), "");
                               return true;
                             });
  for (size_t i = 0; s.ok() && i < ids.size(); ++i) {
    auto rules = (*store)->Get(Cf::kRules, ids[i]);
    if (!rules.ok()) s = rules.status();
    if (s.ok() && rules->has_value()) customers[i].second = **rules;
  }
  if (!s.ok() || customers.empty()) {
    std::fprintf(stderr, "%s: no customers to read (%s)\n", dir.c_str(),
                 s.ToString().c_str());
    return 1;
  }
  size_t bytes = 0, mismatches = 0;
  for (const auto& [p, r] : customers) {
    bytes += p.size() + r.size();
    profile::CustomerRecord c;
    std::string again, rules_again;
    if (!profile::DecodeCustomer(p, &c).ok() ||
        !profile::DecodeRules(r, &c.rules).ok()) {
      ++mismatches;
      continue;
    }
    profile::EncodeCustomer(c, /*with_rules=*/false, &again);
    profile::EncodeRules(c.rules, &rules_again);
    if (again != p || rules_again != r) ++mismatches;
  }
  std::printf(
      "%zu customers, %.0f bytes each (profile + rules); %zu not "
      "written back byte for byte\n",
      customers.size(), static_cast<double>(bytes) / customers.size(),
      mismatches);

  // What holding customers as records would cost: the record itself and
  // its strings and lists on the heap (strings past 15 bytes).
  size_t heap = 0;
  for (const auto& [p, r] : customers) {
    profile::CustomerRecord c;
    (void)profile::DecodeCustomer(p, &c);
    (void)profile::DecodeRules(r, &c.rules);
    auto str = [&](const std::string& x) {
      if (x.capacity() > 15) heap += x.capacity() + 1;
    };
    auto strs = [&](const std::vector<std::string>& v) {
      heap += v.capacity() * sizeof(std::string);
      for (const auto& x : v) str(x);
    };
    const auto& f = c.profile;
    str(f.customer_id);
    strs(f.emails);
    strs(f.phones);
    heap += f.external_ids.capacity() * sizeof(f.external_ids[0]);
    for (const auto& [k, v] : f.external_ids) str(k), str(v);
    str(f.first_name);
    str(f.last_name);
    str(f.checkout.checkout_token);
    strs(c.identifier_keys);
    heap += c.closed_checkouts.capacity() * sizeof(c.closed_checkouts[0]);
    for (const auto& x : c.closed_checkouts) str(x.token);
    strs(c.rules.bad_rated_tickets);
    strs(c.rules.reviewed_orders);
    heap += c.rules.ticket_created_micros.capacity() * sizeof(int64_t);
    heap += c.rules.timers.capacity() * sizeof(c.rules.timers[0]);
    for (const auto& t : c.rules.timers) {
      str(t.kind), str(t.anchor_event_id), str(t.ref);
    }
  }
  std::printf("a record: %zu bytes + %.0f on the heap (strings, lists)\n",
              sizeof(profile::CustomerRecord),
              static_cast<double>(heap) / customers.size());

  size_t sink = 0;
  {
    // The timer index's start-up scan: each rules record's first due time.
    auto t0 = std::chrono::steady_clock::now();
    v1::RulesState rules;
    for (const auto& c : customers) {
      if (rules.ParseFromString(c.second) && !rules.timers().empty()) {
        sink += rules.timers(0).due_micros();
      }
    }
    double pb = Seconds(t0);
    t0 = std::chrono::steady_clock::now();
    for (const auto& c : customers) {
      auto due = profile::FirstTimerDue(c.second);
      if (due.ok() && due->has_value()) sink += **due;
    }
    double rec = Seconds(t0);
    double n = static_cast<double>(customers.size()) / 1e6;
    std::printf(
        "first timer due, us a customer: protobuf %.2f, record %.2f "
        "(%.1fx)\n",
        pb / n, rec / n, pb / rec);
  }
  for (int round = 0; round < rounds; ++round) {
    // Protobuf, as the processor does it: parse on an arena reset per
    // batch-sized run, serialise the state without rules and the rules.
    auto t0 = std::chrono::steady_clock::now();
    google::protobuf::Arena arena;
    for (size_t k = 0; k < customers.size(); ++k) {
      auto* state =
          google::protobuf::Arena::CreateMessage<v1::CustomerState>(&arena);
      state->ParseFromString(customers[k].first);
      state->mutable_rules()->ParseFromString(customers[k].second);
      sink += state->profile().orders().count();
      if (k % 20000 == 19999) arena.Reset();
    }
    double pb_parse = Seconds(t0);
    t0 = std::chrono::steady_clock::now();
    arena.Reset();
    for (size_t k = 0; k < customers.size(); ++k) {
      auto* state =
          google::protobuf::Arena::CreateMessage<v1::CustomerState>(&arena);
      state->ParseFromString(customers[k].first);
      state->mutable_rules()->ParseFromString(customers[k].second);
      if (k % 20000 == 19999) arena.Reset();
    }
    double pb_parse_again = Seconds(t0);
    std::vector<v1::CustomerState> parsed(
        std::min<size_t>(customers.size(), 50000));
    for (size_t k = 0; k < parsed.size(); ++k) {
      parsed[k].ParseFromString(customers[k].first);
      parsed[k].mutable_rules()->ParseFromString(customers[k].second);
    }
    if (round == 0) {
      size_t used = 0;
      for (const auto& state : parsed) used += state.SpaceUsedLong();
      std::printf("a parsed message: %.0f bytes (SpaceUsedLong)\n",
                  static_cast<double>(used) / parsed.size());
    }
    t0 = std::chrono::steady_clock::now();
    for (auto& state : parsed) {
      v1::RulesState rules;
      rules.Swap(state.mutable_rules());
      sink += custhub::DeterministicBytes(state).size() +
              custhub::DeterministicBytes(rules).size();
      rules.Swap(state.mutable_rules());
    }
    double pb_write = Seconds(t0) * customers.size() / parsed.size();

    t0 = std::chrono::steady_clock::now();
    profile::CustomerRecord c;
    for (const auto& [p, r] : customers) {
      (void)profile::DecodeCustomer(p, &c);
      (void)profile::DecodeRules(r, &c.rules);
      sink += c.profile.orders.count;
    }
    double rec_read = Seconds(t0);
    std::vector<profile::CustomerRecord> records(parsed.size());
    for (size_t k = 0; k < records.size(); ++k) {
      (void)profile::DecodeCustomer(customers[k].first, &records[k]);
      (void)profile::DecodeRules(customers[k].second, &records[k].rules);
    }
    t0 = std::chrono::steady_clock::now();
    for (const auto& rec : records) {
      std::string out, rules;
      out.reserve(512);
      profile::EncodeCustomer(rec, /*with_rules=*/false, &out);
      profile::EncodeRules(rec.rules, &rules);
      sink += out.size() + rules.size();
    }
    double rec_write = Seconds(t0) * customers.size() / records.size();
    double n = static_cast<double>(customers.size()) / 1e6;  // us per customer
    std::printf(
        "round %d, us a customer: protobuf read %.2f (again %.2f) write %.2f; "
        "record read %.2f write %.2f; read %.1fx, write %.1fx\n",
        round + 1, pb_parse / n, pb_parse_again / n, pb_write / n, rec_read / n,
        rec_write / n, pb_parse / rec_read, pb_write / rec_write);
  }
  return sink == 42 ? 2 : (mismatches == 0 ? 0 : 1);
}
