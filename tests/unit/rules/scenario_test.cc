// Runs every tests/data/rules/*.scenario file (format: the README there) as
// its own test case: canonical events are folded with the profile folds the
// way the streams processor does, then the rules run, and the triggers must
// match the file's expectations exactly. Each file also runs twice more, once
// from scratch and once with the state round-tripped through its bytes
// before every step (a restart), and must give identical triggers and keys.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "proto/deterministic.h"
#include "src/common/status.h"
#include "src/common/time.h"
#include "src/profile/fold.h"
#include "src/profile/traits.h"
#include "src/rules/rules.h"

namespace {

namespace v1 = custhub::v1;
namespace rules = custhub::rules;
namespace profile = custhub::profile;
using custhub::Micros;

constexpr char kDefaultEmail[] = "ada@example.com";

std::string Bytes(const v1::CustomerState& state) {
  return custhub::DeterministicBytes(state);
}

Micros ToMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * custhub::kMicrosPerSecond + t.nanos() / 1000;
}

std::string Describe(const v1::Trigger& t) {
  return absl::StrCat(
      t.kind(), " ", custhub::FormatRfc3339(ToMicros(t.fired_at())),
      t.suppressed_by().empty() ? "" : " suppressed_by=", t.suppressed_by(),
      " key=", t.idempotency_key(), " reason~", t.reason());
}

absl::Status SetConfig(rules::RulesConfig* c, absl::string_view key,
                       absl::string_view value) {
  absl::Duration* duration = nullptr;
  if (key == "allowed_lateness") duration = &c->allowed_lateness;
  if (key == "abandoned_cart_delay") duration = &c->abandoned_cart_delay;
  if (key == "review_delay") duration = &c->review_delay;
  if (key == "win_back_after") duration = &c->win_back_after;
  if (key == "escalation_window") duration = &c->escalation_window;
  if (key == "refund_suppression") duration = &c->refund_suppression;
  if (key == "frequency_cap") duration = &c->frequency_cap;
  if (duration != nullptr) {
    if (!absl::ParseDuration(value, duration)) {
      return absl::InvalidArgumentError(absl::StrCat(key, ": bad duration"));
    }
    return absl::OkStatus();
  }
  bool ok = false;
  if (key == "churn_risk_threshold") {
    ok = absl::SimpleAtod(value, &c->churn_risk_threshold);
  } else if (key == "escalation_tickets") {
    ok = absl::SimpleAtoi(value, &c->escalation_tickets);
  } else if (key == "vip_net_revenue_minor") {
    ok = absl::SimpleAtoi(value, &c->traits.vip_net_revenue_minor);
  } else if (key == "escalate_bad_rating") {
    ok = absl::SimpleAtob(value, &c->escalate_bad_rating);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown config key ", key));
  }
  if (!ok) return absl::InvalidArgumentError(absl::StrCat(key, ": bad value"));
  return absl::OkStatus();
}

// One run of one scenario file.
class ScenarioRun {
 public:
  ScenarioRun(std::string path, bool restart_every_step)
      : path_(std::move(path)), restart_every_step_(restart_every_step) {
    state_.mutable_profile()->set_customer_id("cus_test");
  }

  // Every trigger produced, in order; an error names the file and line.
  absl::StatusOr<std::vector<v1::Trigger>> Run() {
    std::ifstream in(path_);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path_));
    std::string line;
    while (std::getline(in, line)) {
      ++line_no_;
      absl::string_view text = absl::StripAsciiWhitespace(line);
      if (text.empty() || text[0] == '#') continue;
      if (restart_every_step_) Restart();
      absl::Status s = Step(text);
      if (!s.ok()) {
        return absl::Status(
            s.code(), absl::StrCat(path_, ":", line_no_, ": ", s.message()));
      }
    }
    absl::Status s = NoneLeft();
    if (!s.ok())
      return absl::Status(s.code(), absl::StrCat(path_, ": ", s.message()));
    return all_;
  }

 private:
  absl::Status Step(absl::string_view text) {
    std::pair<absl::string_view, absl::string_view> verb_rest =
        absl::StrSplit(text, absl::MaxSplits(' ', 1));
    absl::string_view verb = verb_rest.first;
    absl::string_view rest = absl::StripAsciiWhitespace(verb_rest.second);
    if (verb == "config") {
      std::pair<std::string, std::string> kv =
          absl::StrSplit(rest, absl::MaxSplits(' ', 1));
      absl::Status s = SetConfig(&config_, kv.first, kv.second);
      return s.ok() ? config_.Validate() : s;
    }
    if (verb == "customer") {
      state_.mutable_profile()->set_customer_id(std::string(rest));
      return absl::OkStatus();
    }
    if (verb == "event") return Event(rest);
    if (verb == "advance") return Advance(rest);
    if (verb == "restart") {
      Restart();
      return absl::OkStatus();
    }
    if (verb == "expect") return Expect(rest);
    if (verb == "timers") return Timers(rest);
    if (verb == "traits") return Traits(rest);
    return absl::InvalidArgumentError(absl::StrCat("unknown directive ", verb));
  }

  void Restart() {
    v1::CustomerState reloaded;
    reloaded.ParseFromString(Bytes(state_));
    state_ = std::move(reloaded);
  }

  void Collect(std::vector<v1::Trigger> triggers) {
    for (auto& t : triggers) {
      all_.push_back(t);
      pending_.push_back(std::move(t));
    }
  }

  absl::Status NoneLeft() {
    if (pending_.empty()) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat("unexpected trigger: ", Describe(pending_.front())));
  }

  absl::Status Advance(absl::string_view when) {
    CUSTHUB_RETURN_IF_ERROR(NoneLeft());
    auto at = custhub::ParseRfc3339(when);
    if (!at.ok()) return at.status();
    max_seen_ = std::max(max_seen_, *at);
    Collect(rules::FireDue(config_, &state_,
                           rules::StreamTime(config_, max_seen_)));
    return absl::OkStatus();
  }

  absl::Status Event(absl::string_view json) {
    CUSTHUB_RETURN_IF_ERROR(NoneLeft());
    v1::Event e;
    auto parsed =
        google::protobuf::util::JsonStringToMessage(std::string(json), &e);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event JSON: ", parsed.ToString()));
    }
    if (e.source().empty()) e.set_source("shopify");
    if (!e.has_identifiers())
      e.mutable_identifiers()->add_emails(kDefaultEmail);
    auto at = custhub::ParseRfc3339(e.occurred_at(), "occurred_at");
    if (!at.ok()) return at.status();
    // The processor drops a retried delivery before it folds.
    if (!seen_.insert(rules::EventRef(e)).second) return absl::OkStatus();

    max_seen_ = std::max(max_seen_, *at);
    Micros stream = rules::StreamTime(config_, max_seen_);
    Collect(rules::FireDue(config_, &state_, stream));

    rules::Before before = rules::BeforeView(state_);
    absl::StatusOr<bool> folded = Fold(e, *at);
    if (!folded.ok()) return folded.status();
    if (!*folded) return absl::OkStatus();  // a refund held for its order
    profile::Finalize(&state_);
    profile::ComputeTraits(config_.traits,
                           std::max(state_.last_event_micros(), *at), &state_);
    Collect(rules::Evaluate(config_, before, &state_, e, *at));
    Collect(rules::FireDue(config_, &state_, stream));
    return absl::OkStatus();
  }

  // The processor's fold of one event into this scenario's one customer.
  // False when the event reached no customer (a refund before its order).
  absl::StatusOr<bool> Fold(const v1::Event& e, Micros at) {
    const std::string customer_key = absl::StrCat("email:", kDefaultEmail);
    absl::StatusOr<bool> folded = true;
    switch (e.payload_case()) {
      case v1::Event::kOrder:
        folded = profile::ApplyOrder(
            e.order(), at, customer_key,
            &orders_[absl::StrCat(e.source(), "|", e.order().order_id())],
            &state_);
        break;
      case v1::Event::kRefund: {
        auto& entry =
            orders_[absl::StrCat(e.source(), "|", e.refund().order_id())];
        v1::CustomerState* owner = entry.order_seen() ? &state_ : nullptr;
        folded = profile::ApplyRefund(e.refund(), at, &entry, owner);
        if (!folded.ok()) return folded.status();
        return owner != nullptr;  // refunds carry no identity to apply
      }
      case v1::Event::kCheckout:
        folded = profile::ApplyCheckout(e.checkout(), at, &state_);
        break;
      case v1::Event::kTicket:
        folded = profile::ApplyTicket(
            e.ticket(), at, customer_key,
            &tickets_[absl::StrCat(e.source(), "|", e.ticket().ticket_id())],
            &state_);
        break;
      case v1::Event::kEmail:
        folded = profile::ApplyEmail(e.email(), at, &state_);
        break;
      case v1::Event::kConsent:
        folded = profile::ApplyConsent(e.consent(), at, &state_);
        break;
      default:
        return absl::InvalidArgumentError("payload: not foldable here");
    }
    if (!folded.ok()) return folded.status();
    profile::ApplyIdentity(e, at, &state_);
    return true;
  }

  absl::Status Expect(absl::string_view rest) {
    std::string reason;
    if (size_t pos = rest.find("reason~"); pos != absl::string_view::npos) {
      reason = std::string(rest.substr(pos + 7));
      rest = absl::StripAsciiWhitespace(rest.substr(0, pos));
    }
    std::vector<std::string> words =
        absl::StrSplit(rest, ' ', absl::SkipEmpty());
    if (words.size() < 2) {
      return absl::InvalidArgumentError("expect KIND TIME [key=value ...]");
    }
    if (pending_.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("expected ", words[0], " but no trigger is left"));
    }
    v1::Trigger t = pending_.front();
    pending_.pop_front();
    auto when = custhub::ParseRfc3339(words[1]);
    if (!when.ok()) return when.status();
    std::string suppressed, key;
    for (size_t i = 2; i < words.size(); ++i) {
      absl::string_view w = words[i];
      if (absl::ConsumePrefix(&w, "suppressed_by=")) {
        suppressed = std::string(w);
      } else if (absl::ConsumePrefix(&w, "key=")) {
        key = std::string(w);
      } else {
        return absl::InvalidArgumentError(absl::StrCat("unknown field ", w));
      }
    }
    bool ok = t.kind() == words[0] && ToMicros(t.fired_at()) == *when &&
              t.suppressed_by() == suppressed &&
              (key.empty() || t.idempotency_key() == key) &&
              absl::StrContains(t.reason(), reason) &&
              t.customer_id() == state_.profile().customer_id() &&
              t.idempotency_key().size() == 32;
    if (!ok) {
      return absl::FailedPreconditionError(
          absl::StrCat("expected ", rest, reason.empty() ? "" : " reason~",
                       reason, "\n  got ", Describe(t)));
    }
    return absl::OkStatus();
  }

  absl::Status Timers(absl::string_view rest) {
    std::vector<std::string> want =
        absl::StrSplit(rest, ' ', absl::SkipEmpty());
    std::vector<std::string> have;
    for (const auto& t : state_.rules().timers()) {
      have.push_back(
          absl::StrCat(t.kind(), "@", custhub::FormatRfc3339(t.due_micros())));
    }
    if (want != have) {
      return absl::FailedPreconditionError(
          absl::StrCat("timers: expected [", absl::StrJoin(want, " "),
                       "]\n  got [", absl::StrJoin(have, " "), "]"));
    }
    return absl::OkStatus();
  }

  absl::Status Traits(absl::string_view rest) {
    const auto& t = state_.profile().traits();
    std::map<std::string, std::string> have = {
        {"recency", absl::StrCat(t.recency())},
        {"frequency", absl::StrCat(t.frequency())},
        {"monetary", absl::StrCat(t.monetary())},
        {"lifecycle", t.lifecycle_stage()},
        {"churn_risk", absl::StrFormat("%.2f", t.churn_risk())},
        {"ltv", absl::StrCat(t.predicted_ltv().minor())},
        {"return_rate",
         absl::StrFormat("%.2f", state_.profile().returns().return_rate())}};
    for (absl::string_view pair :
         absl::StrSplit(rest, ' ', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(pair, '=');
      auto it = have.find(kv.first);
      if (it == have.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown trait ", kv.first));
      }
      if (it->second != kv.second) {
        return absl::FailedPreconditionError(
            absl::StrCat("trait ", kv.first, ": expected ", kv.second, ", got ",
                         it->second));
      }
    }
    return absl::OkStatus();
  }

  std::string path_;
  bool restart_every_step_;
  int line_no_ = 0;
  rules::RulesConfig config_;
  v1::CustomerState state_;
  std::map<std::string, v1::OrderLedgerEntry> orders_;
  std::map<std::string, v1::TicketLedgerEntry> tickets_;
  std::set<std::string> seen_;
  Micros max_seen_ = 0;
  std::deque<v1::Trigger> pending_;
  std::vector<v1::Trigger> all_;
};

std::string Canonical(const std::vector<v1::Trigger>& triggers) {
  std::string out;
  for (const auto& t : triggers) out += t.SerializeAsString() + "\n";
  return out;
}

// One Catch2 test case per scenario file, registered before main runs.
class ScenarioInvoker : public Catch::ITestInvoker {
 public:
  explicit ScenarioInvoker(std::string path) : path_(std::move(path)) {}

  void invoke() const override {
    auto first = ScenarioRun(path_, false).Run();
    INFO((first.ok() ? std::string("ok")
                     : std::string(first.status().message())));
    REQUIRE(first.ok());
    CHECK_FALSE(first->empty());
    // A replay from scratch gives the same triggers, byte for byte.
    auto replay = ScenarioRun(path_, false).Run();
    REQUIRE(replay.ok());
    CHECK(Canonical(*replay) == Canonical(*first));
    // So does a hub that restarts (state reloaded from bytes) at every step.
    auto restarted = ScenarioRun(path_, true).Run();
    INFO((restarted.ok() ? std::string("ok")
                         : std::string(restarted.status().message())));
    REQUIRE(restarted.ok());
    CHECK(Canonical(*restarted) == Canonical(*first));
  }

 private:
  std::string path_;
};

const bool kRegistered = [] {
  namespace fs = std::filesystem;
  static std::deque<std::string> names;  // NameAndTags keeps references
  std::vector<fs::path> files;
  for (const auto& entry :
       fs::directory_iterator(fs::path(CUSTHUB_TEST_DATA) / "rules")) {
    if (entry.path().extension() == ".scenario") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    names.push_back("scenario " + file.stem().string());
    // Catch owns the invoker; the registrar itself is not needed afterwards.
    static std::deque<std::unique_ptr<Catch::AutoReg>> registrars;
    registrars.push_back(std::make_unique<Catch::AutoReg>(
        new ScenarioInvoker(file.string()), CATCH_INTERNAL_LINEINFO,
        Catch::StringRef(), Catch::NameAndTags{names.back(), "[rules]"}));
  }
  return true;
}();

}  // namespace

TEST_CASE("there is a scenario for every trigger kind", "[rules]") {
  namespace fs = std::filesystem;
  std::string all;
  for (const auto& entry :
       fs::directory_iterator(fs::path(CUSTHUB_TEST_DATA) / "rules")) {
    if (entry.path().extension() != ".scenario") continue;
    std::ifstream in(entry.path());
    all += std::string(std::istreambuf_iterator<char>(in), {});
  }
  for (const char* kind :
       {"first_purchase", "abandoned_cart", "post_purchase_review", "win_back",
        "vip_upgrade", "churn_risk", "support_escalation",
        "deliverability_alert"}) {
    INFO(kind);
    CHECK(absl::StrContains(all, absl::StrCat("expect ", kind, " ")));
  }
  for (const char* reason :
       {"open_ticket", "unsubscribed", "bounced", "spam_complaint",
        "recent_refund", "frequency_cap"}) {
    INFO(reason);
    CHECK(absl::StrContains(all, absl::StrCat("suppressed_by=", reason)));
  }
}

TEST_CASE("a bad scenario expectation is reported with its line", "[rules]") {
  auto dir = std::filesystem::temp_directory_path() / "custhub_rules_test";
  std::filesystem::create_directories(dir);
  auto path = (dir / "bad.scenario").string();
  std::ofstream(path)
      << "event {\"eventId\":\"e1\",\"occurredAt\":"
         "\"2026-01-01T10:00:00Z\",\"order\":{\"orderId\":\"1\","
         "\"total\":{\"minor\":\"100\",\"currency\":\"USD\"}}}\n"
         "expect win_back 2026-01-01T10:00:00Z\n";
  auto run = ScenarioRun(path, false).Run();
  REQUIRE_FALSE(run.ok());
  CHECK(absl::StrContains(run.status().message(), "bad.scenario:2:"));
}

TEST_CASE("rules config validation names the bad field", "[rules]") {
  CHECK(rules::RulesConfig{}.Validate().ok());
  rules::RulesConfig threshold;
  threshold.churn_risk_threshold = 1.0;
  CHECK(absl::StrContains(threshold.Validate().message(),
                          "churn_risk_threshold"));
  rules::RulesConfig tickets;
  tickets.escalation_tickets = 17;
  CHECK(absl::StrContains(tickets.Validate().message(), "escalation_tickets"));
  rules::RulesConfig delay;
  delay.abandoned_cart_delay = absl::ZeroDuration();
  CHECK(absl::StrContains(delay.Validate().message(), "abandoned_cart_delay"));
  rules::RulesConfig traits;
  traits.traits.monetary_minor = {1, 1, 2, 3};
  CHECK(
      absl::StrContains(traits.Validate().message(), "traits.monetary_minor"));
}

TEST_CASE("consent outranks an open ticket, which outranks the windows",
          "[rules]") {
  rules::RulesConfig config;
  v1::CustomerState s;
  Micros at = *custhub::ParseRfc3339("2026-01-10T00:00:00Z");
  s.mutable_rules()->set_last_marketing_micros(at - custhub::kMicrosPerHour);
  CHECK(rules::MarketingSuppression(config, s, at) == "frequency_cap");
  s.mutable_rules()->set_last_refund_micros(at - custhub::kMicrosPerDay);
  CHECK(rules::MarketingSuppression(config, s, at) == "recent_refund");
  s.mutable_profile()->mutable_support()->set_open_tickets(1);
  CHECK(rules::MarketingSuppression(config, s, at) == "open_ticket");
  s.mutable_profile()->mutable_email()->set_consent(v1::EmailStats::BOUNCED);
  CHECK(rules::MarketingSuppression(config, s, at) == "bounced");
  config.frequency_cap = absl::ZeroDuration();
  config.refund_suppression = absl::ZeroDuration();
  s.mutable_profile()->mutable_support()->set_open_tickets(0);
  s.mutable_profile()->mutable_email()->set_consent(v1::EmailStats::SUBSCRIBED);
  CHECK(rules::MarketingSuppression(config, s, at).empty());
}

TEST_CASE("NextDue is the earliest pending timer", "[rules]") {
  v1::CustomerState s;
  CHECK_FALSE(rules::NextDue(s).has_value());
  auto* t = s.mutable_rules()->add_timers();
  t->set_kind("win_back");
  t->set_due_micros(42);
  CHECK(rules::NextDue(s) == std::optional<Micros>(42));
  CHECK(rules::FireDue(rules::RulesConfig{}, &s, 41).empty());
  auto fired = rules::FireDue(rules::RulesConfig{}, &s, 42);
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].kind() == "win_back");
  CHECK_FALSE(rules::NextDue(s).has_value());
}
