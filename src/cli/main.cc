// The custhub binary: subcommands over the modules. Flags may also come from
// a YAML file (--config); a flag on the command line beats the file.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "src/cli/commands.h"
#include "src/cli/config_file.h"
#include "src/common/hash.h"
#include "src/common/log.h"
#include "src/identity/erasure.h"

namespace custhub::cli {
namespace {

void AddTopicFlags(CLI::App* cmd, streams::InputTopics* in,
                   publish::OutputTopics* out) {
  cmd->add_option("--topics-orders", in->orders, "orders input topic");
  cmd->add_option("--topics-returns", in->returns, "returns input topic");
  cmd->add_option("--topics-support", in->support, "support input topic");
  cmd->add_option("--topics-email", in->email, "email input topic");
  cmd->add_option("--topics-erasure", in->erasure, "erasure request topic");
  cmd->add_option("--topics-profiles", out->profiles, "profiles output topic");
  cmd->add_option("--topics-triggers", out->triggers, "triggers output topic");
  cmd->add_option("--topics-identity", out->identity, "identity output topic");
  cmd->add_option("--topics-dlq", out->dlq, "dead-letter topic");
}

bool HasOption(CLI::App* app, const std::string& flag) {
  try {
    return app->get_option_no_throw(flag) != nullptr;
  } catch (...) {
    return false;
  }
}

// Values of `run` and `replay` flags that need converting after parsing.
struct HubFlags {
  bool transactional = false;
  std::string output_format = "protobuf";
  std::vector<std::string> kafka_props;
  double dedup_days = 7;
  double trigger_retention_days = 90;
  double merge_wait_s = 0;
  double advance_when_idle_s = 0;
};

// The flags `run` and `replay` share.
void AddHubFlags(CLI::App* cmd, streams::HubOptions* hub, HubFlags* flags) {
  cmd->add_flag("--transactional", flags->transactional,
                "publish each batch's outputs in one Kafka transaction");
  cmd->add_option("--bootstrap", hub->bootstrap, "Kafka bootstrap servers")
      ->required();
  cmd->add_option("--state-dir", hub->state_dir, "RocksDB state directory")
      ->required();
  cmd->add_option("--output-format", flags->output_format, "protobuf or json")
      ->check(CLI::IsMember({"protobuf", "json"}));
  cmd->add_option("--batch-max", hub->batch_max, "records per batch");
  cmd->add_option("--poll-timeout-ms", hub->poll_timeout_ms,
                  "longest wait for a batch's first record");
  cmd->add_option("--max-in-flight", hub->max_in_flight,
                  "unconfirmed outputs before polling pauses");
  cmd->add_option("--max-body-bytes", hub->processor.max_body_bytes,
                  "larger records go to the DLQ");
  cmd->add_option("--sync", hub->sync, "fsync the WAL per batch (true/false)");
  cmd->add_option("--default-phone-region",
                  hub->processor.decode.default_phone_region,
                  "ISO 3166 region for phones without a country code");
  cmd->add_option("--identity-blocklist", hub->processor.identity.blocklist,
                  "identifier that never links customers, e.g. "
                  "phone:+14155550000 (repeatable)");
  cmd->add_option("--max-links-per-identifier",
                  hub->processor.identity.max_links_per_identifier,
                  "links one identifier may make before it is refused");
  cmd->add_option("--identity-priority", hub->processor.identity.priority,
                  "identifier kinds, strongest first (ext, email, phone)")
      ->delimiter(',');
  cmd->add_option("--dedup-window-days", flags->dedup_days,
                  "how long retried deliveries are recognised, in event time")
      ->check(CLI::Range(0.0, 3650.0));
  cmd->add_option("--trigger-retention-days", flags->trigger_retention_days,
                  "how long fired triggers stay in state for the API, in "
                  "event time (0: forever)")
      ->check(CLI::Range(0.0, 36500.0));
  cmd->add_option("--merge-wait", flags->merge_wait_s,
                  "seconds a partition with unread records may hold the "
                  "others back (default 1, replay 60)")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--kafka-property", flags->kafka_props,
                  "extra librdkafka property key=value (repeatable)");
  AddTopicFlags(cmd, &hub->inputs, &hub->processor.outputs);
}

// Converts what CLI11 parsed into HubOptions; InvalidArgument names the flag.
absl::Status FinishHubOptions(const HubFlags& flags, streams::HubOptions* hub) {
  if (flags.transactional) {
    // One transactional.id per state dir: a restarted hub fences the old one.
    hub->transactional_id =
        "custhub-" +
        Hex64(Hash64(std::filesystem::absolute(hub->state_dir).string()));
  }
  hub->processor.dedup_window =
      static_cast<Micros>(flags.dedup_days * kMicrosPerDay);
  hub->processor.trigger_retention =
      static_cast<Micros>(flags.trigger_retention_days * kMicrosPerDay);
  hub->merge_wait = static_cast<Micros>(flags.merge_wait_s * kMicrosPerSecond);
  hub->advance_when_idle =
      static_cast<Micros>(flags.advance_when_idle_s * kMicrosPerSecond);
  hub->processor.format = flags.output_format == "json"
                              ? publish::OutputFormat::kJson
                              : publish::OutputFormat::kProtobuf;
  for (const auto& kv : flags.kafka_props) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          "--kafka-property: expected key=value, got '" + kv + "'");
    }
    hub->kafka_properties[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  CLI::App app{"custhub: an event-streaming customer-data hub"};
  app.require_subcommand(1);
  // Global flags (--config, --log-format) may follow the subcommand.
  app.fallthrough();
  std::string config_path, log_format = "text", log_level = "info";
  app.add_option("--config", config_path, "YAML config file");
  app.add_option("--log-format", log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  BrokerArgs broker_args;
  streams::HubOptions hub;
  streams::InputTopics broker_in;
  publish::OutputTopics broker_out;
  auto* broker = app.add_subcommand(
      "broker", "a local Kafka-protocol broker for development and tests");
  broker->add_option("--brokers", broker_args.brokers, "broker count")
      ->check(CLI::Range(1, 16));
  broker
      ->add_option("--partitions", broker_args.partitions,
                   "partitions per topic")
      ->check(CLI::Range(1, 1024));
  broker
      ->add_option("--port", broker_args.port,
                   "fixed bootstrap port on 127.0.0.1 (default: random)")
      ->check(CLI::Range(1, 65535));
  AddTopicFlags(broker, &broker_in, &broker_out);

  auto* run = app.add_subcommand("run", "the hub: consume, fold, publish");
  HubFlags hub_flags;
  AddHubFlags(run, &hub, &hub_flags);
  run->add_option("--advance-when-idle", hub_flags.advance_when_idle_s,
                  "seconds without input after which stream time follows "
                  "the wall clock, so timers fire (default 0: off)")
      ->check(CLI::Range(0.0, 86400.0));
  std::string http_listen;
  run->add_option("--http", http_listen,
                  "serve the HTTP API, /metrics and the inspector page on "
                  "host:port (port 0: any free)");
  auto* replay = app.add_subcommand(
      "replay",
      "rebuild state from the earliest offsets into a fresh state dir");
  bool replay_publish = false;
  AddHubFlags(replay, &hub, &hub_flags);
  replay->add_flag("--publish", replay_publish,
                   "also publish outputs (same keys and idempotency keys)");
  std::vector<std::string>& kafka_props = hub_flags.kafka_props;

  DemoArgs demo_args;
  auto* demo = app.add_subcommand(
      "demo", "embedded broker + synthetic store + the hub, with a summary");
  demo->add_option("--customers", demo_args.customers, "shoppers to simulate")
      ->check(CLI::Range(1, 1000000));
  demo->add_option("--seed", demo_args.seed, "random seed");
  demo->add_option("--state-dir", demo_args.state_dir,
                   "keep the state here (default: a temporary dir)");

  BenchArgs bench_args;
  auto* bench = app.add_subcommand(
      "bench",
      "throughput and latency on an embedded broker, beside raw "
      "librdkafka and RocksDB rates");
  bench
      ->add_option("--records", bench_args.records,
                   "webhook records to produce")
      ->check(CLI::Range(int64_t{100}, int64_t{100000000}));
  bench
      ->add_option("--customers", bench_args.customers,
                   "customers to draw from")
      ->check(CLI::Range(1, 8000000));
  bench->add_option("--seed", bench_args.seed, "random seed");
  bench
      ->add_option("--skew", bench_args.skew,
                   "Zipf exponent of the customer draw (0: uniform)")
      ->check(CLI::Range(0.0, 3.0));
  bench->add_option("--json", bench_args.json,
                    "also write the figures as JSON");
  bench->add_flag("--skip-latency", bench_args.skip_latency,
                  "skip the paced latency phase");
  bench
      ->add_option("--latency-seconds", bench_args.latency_seconds,
                   "length of the latency phase")
      ->check(CLI::Range(0.1, 600.0));
  bench
      ->add_option("--latency-rate", bench_args.latency_rate,
                   "records/s of the latency phase (default: half of the "
                   "end-to-end rate)")
      ->check(CLI::Range(0.0, 10000000.0));
  bench->add_flag("--scaling", bench_args.scaling,
                  "throughput and memory over 10k..1M customers and "
                  "100k..1M records");

  gateway::GatewayOptions gw;
  publish::OutputTopics gw_out;
  auto* webhook = app.add_subcommand(
      "webhook", "HTTP gateway: verify webhook signatures, produce to Kafka");
  webhook->add_option("--listen", gw.listen, "host:port (port 0: any free)");
  webhook->add_option("--bootstrap", gw.bootstrap, "Kafka bootstrap servers")
      ->required();
  webhook->add_option("--max-body-bytes", gw.max_body_bytes,
                      "larger bodies get 413");
  webhook->add_option("--ack-timeout-ms", gw.ack_timeout_ms,
                      "wait for the broker's acknowledgement");
  webhook->add_flag("--allow-unsigned", gw.allow_unsigned,
                    "accept sources without a secret (development only)");
  double signature_max_age_s = 300;
  webhook
      ->add_option("--signature-max-age", signature_max_age_s,
                   "seconds a signed timestamp (Zendesk, Klaviyo, SendGrid) "
                   "may be from now; 0: no check")
      ->check(CLI::Range(0.0, 7 * 86400.0));
  webhook->add_option("--kafka-property", kafka_props,
                      "extra librdkafka property key=value (repeatable)");
  AddTopicFlags(webhook, &gw.topics, &gw_out);

  std::string erase_id, erase_bootstrap;
  streams::InputTopics erase_topics;
  publish::OutputTopics erase_out;
  auto* erase = app.add_subcommand(
      "erase", "request GDPR erasure of a customer by email, phone or id");
  erase
      ->add_option("identifier", erase_id,
                   "email, phone, source:id or customer id")
      ->required();
  erase->add_option("--bootstrap", erase_bootstrap, "Kafka bootstrap servers")
      ->required();
  AddTopicFlags(erase, &erase_topics, &erase_out);

  std::string lookup_id, state_dir;
  auto* profile = app.add_subcommand("profile", "read profiles");
  profile->require_subcommand(1);
  auto* get = profile->add_subcommand(
      "get", "print one profile as JSON (by customer id, email or phone)");
  get->add_option("id", lookup_id, "customer id, email, phone or source:id")
      ->required();
  get->add_option("--state-dir", state_dir, "RocksDB state directory")
      ->required();

  auto* digest = app.add_subcommand(
      "digest", "print a deterministic digest of all customer state");
  digest->add_option("--state-dir", state_dir, "RocksDB state directory")
      ->required();

  // The config file becomes extra flags for the chosen subcommand.
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) config_path = args[i + 1];
    if (absl::StartsWith(args[i], "--config=")) config_path = args[i].substr(9);
  }
  if (!config_path.empty()) {
    CLI::App* chosen = nullptr;
    for (const auto& a : args) {
      if (chosen == nullptr) {
        for (auto* sub : app.get_subcommands({})) {
          if (sub->get_name() == a) chosen = sub;
        }
      } else if (a == "get" && chosen == profile) {
        chosen = get;
      }
    }
    std::vector<CLI::App*> all = {broker, run,    replay,  demo,
                                  get,    digest, webhook, erase};
    auto extra = ConfigArgs(
        config_path, args,
        [&](const std::string& f) { return chosen && HasOption(chosen, f); },
        [&](const std::string& f) {
          if (HasOption(&app, f)) return true;
          for (auto* sub : all)
            if (HasOption(sub, f)) return true;
          return false;
        });
    if (!extra.ok()) return Fail(extra.status());
    args.insert(args.end(), extra->begin(), extra->end());
  }
  std::vector<char*> cargs{argv[0]};
  for (auto& a : args) cargs.push_back(a.data());
  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "custhub: %s\n", e.what());
    return kExitUsage;
  }

  SetLogFormatJson(log_format == "json");
  SetLogLevel(log_level == "debug"   ? LogLevel::kDebug
              : log_level == "warn"  ? LogLevel::kWarn
              : log_level == "error" ? LogLevel::kError
                                     : LogLevel::kInfo);
  InstallSignalHandlers();

  if (broker->parsed()) return RunBroker(broker_args, broker_in, broker_out);
  // The erasure salt is a secret: config file `secrets: {erasure_salt: ..}`
  // or CUSTHUB_ERASURE_SALT, never a flag.
  std::string salt(identity::kDefaultErasureSalt);
  if (auto secrets = ConfigSecrets(config_path); !secrets.ok()) {
    return Fail(secrets.status());
  } else if (secrets->count("erasure_salt")) {
    salt = secrets->at("erasure_salt");
  }
  if (const char* v = std::getenv("CUSTHUB_ERASURE_SALT"); v && *v) salt = v;
  if (erase->parsed()) {
    return RunErase(erase_id, erase_bootstrap, erase_topics.erasure, salt);
  }
  if (run->parsed() || replay->parsed()) {
    if (auto s = FinishHubOptions(hub_flags, &hub); !s.ok()) return Fail(s);
    auto destinations = ConfigSection(config_path, "destinations");
    if (!destinations.ok()) return Fail(destinations.status());
    auto dest_config = publish::DestinationConfigFromMap(*destinations);
    if (!dest_config.ok()) return Fail(dest_config.status());
    hub.processor.destinations = *dest_config;
    auto rules_section = ConfigSection(config_path, "rules");
    if (!rules_section.ok()) return Fail(rules_section.status());
    auto rules_config = rules::RulesConfigFromMap(*rules_section);
    if (!rules_config.ok()) return Fail(rules_config.status());
    hub.processor.rules = *rules_config;
    hub.processor.erasure_salt = salt;
    return run->parsed() ? RunHub(hub, http_listen)
                         : RunReplay(hub, replay_publish);
  }
  if (demo->parsed()) return RunDemo(demo_args);
  if (bench->parsed()) return RunBench(bench_args);
  if (webhook->parsed()) {
    for (const auto& kv : kafka_props) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Fail(absl::InvalidArgumentError(
            "--kafka-property: expected key=value, got '" + kv + "'"));
      }
      gw.kafka_properties[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    gw.signature_max_age =
        static_cast<Micros>(signature_max_age_s * kMicrosPerSecond);
    return RunWebhook(std::move(gw), config_path);
  }
  if (get->parsed()) return RunProfileGet(lookup_id, state_dir);
  if (digest->parsed()) return RunDigest(state_dir);
  return kExitUsage;
}

}  // namespace
}  // namespace custhub::cli

int main(int argc, char** argv) { return custhub::cli::Main(argc, argv); }
