#include "src/gateway/server.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/common/log.h"
#include "src/common/time.h"
#include "src/gateway/routing.h"
#include "src/kafka/client.h"

namespace custhub::gateway {

struct WebhookGateway::Impl {
  GatewayOptions options;
  httplib::Server server;
  std::unique_ptr<kafka::Producer> producer;
  int port = 0;
  std::string host;

  // Deliveries waiting for the broker, by tag.
  std::mutex mu;
  std::condition_variable cv;
  uint64_t next_tag = 1;
  std::map<uint64_t, std::optional<absl::Status>> waiting;

  void OnDelivery(uint64_t tag, absl::Status s) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = waiting.find(tag);
    if (it != waiting.end()) it->second = std::move(s);
    cv.notify_all();
  }

  // Produces and waits for the acknowledgement.
  absl::Status ProduceAndWait(const kafka::OutRecord& record) {
    uint64_t tag;
    {
      std::lock_guard<std::mutex> lock(mu);
      tag = next_tag++;
      waiting[tag];
    }
    absl::Status s = producer->Produce(record, tag);
    std::unique_lock<std::mutex> lock(mu);
    if (s.ok()) {
      bool done =
          cv.wait_for(lock, std::chrono::milliseconds(options.ack_timeout_ms),
                      [&] { return waiting[tag].has_value(); });
      s = done ? *waiting[tag]
               : absl::DeadlineExceededError("broker did not acknowledge");
    }
    waiting.erase(tag);
    return s;
  }

  void Handle(const httplib::Request& req, httplib::Response& res) {
    std::string source =
        req.matches.size() > 1 ? std::string(req.matches[1]) : std::string();
    auto header = [&](absl::string_view name) {
      return req.get_header_value(std::string(name));
    };
    auto query = [&](absl::string_view name) {
      return req.get_param_value(std::string(name));
    };
    auto reply = [&](int status, const std::string& message) {
      res.status = status;
      res.set_content(absl::StrCat("{\"status\":", status, ",\"message\":\"",
                                   message, "\"}\n"),
                      "application/json");
    };
    if (req.body.size() > options.max_body_bytes) {
      return reply(413, "body over the size limit");
    }
    auto routed = RouteWebhook(source, header, query, req.body, options.topics);
    if (!routed.ok()) return reply(400, std::string(routed.status().message()));
    absl::Status verified =
        VerifyWebhook(source, options.secrets, req.body, header, query("token"),
                      {WallNowMicros(), options.signature_max_age});
    if (!verified.ok()) {
      bool unsigned_ok = options.allow_unsigned &&
                         absl::IsFailedPrecondition(verified) &&
                         !options.secrets.count(source);
      if (!unsigned_ok) {
        Log(LogLevel::kWarn, "webhook refused",
            {{"source", source}, {"reason", std::string(verified.message())}});
        return reply(401, "signature not verified");
      }
    }
    kafka::OutRecord record{routed->topic, routed->key, req.body, false,
                            routed->headers};
    absl::Status produced = ProduceAndWait(record);
    if (!produced.ok()) {
      Log(LogLevel::kWarn, "webhook not stored",
          {{"source", source}, {"error", std::string(produced.message())}});
      return reply(503, "not stored, retry");
    }
    reply(200, "stored");
  }
};

WebhookGateway::WebhookGateway(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

WebhookGateway::~WebhookGateway() {
  impl_->server.stop();
  impl_->producer.reset();
}

absl::StatusOr<std::unique_ptr<WebhookGateway>> WebhookGateway::Create(
    GatewayOptions options) {
  if (options.bootstrap.empty()) {
    return absl::InvalidArgumentError("--bootstrap: required");
  }
  auto impl = std::make_unique<Impl>();
  size_t colon = options.listen.rfind(':');
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options.listen.substr(colon + 1), &impl->port) ||
      impl->port < 0 || impl->port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen: '", options.listen, "' is not host:port"));
  }
  impl->host = options.listen.substr(0, colon);
  impl->options = std::move(options);
  Impl* raw = impl.get();
  auto producer = kafka::Producer::Create(
      {raw->options.bootstrap, raw->options.kafka_properties},
      [raw](uint64_t tag, absl::Status s) {
        raw->OnDelivery(tag, std::move(s));
      });
  if (!producer.ok()) return producer.status();
  impl->producer = std::move(*producer);
  // The body limit is checked in the handler so the answer is our 413.
  impl->server.set_payload_max_length(raw->options.max_body_bytes + 1);
  impl->server.Post(R"(/webhooks/([A-Za-z0-9_-]+))",
                    [raw](const httplib::Request& req, httplib::Response& res) {
                      raw->Handle(req, res);
                    });
  impl->server.Get("/healthz",
                   [](const httplib::Request&, httplib::Response& res) {
                     res.set_content("ok\n", "text/plain");
                   });
  return std::unique_ptr<WebhookGateway>(new WebhookGateway(std::move(impl)));
}

absl::Status WebhookGateway::Listen() {
  if (impl_->port == 0) {
    impl_->port = impl_->server.bind_to_any_port(impl_->host);
    if (impl_->port <= 0) {
      return absl::UnavailableError(
          absl::StrCat("--listen: cannot bind ", impl_->host));
    }
  } else if (!impl_->server.bind_to_port(impl_->host, impl_->port)) {
    return absl::UnavailableError(
        absl::StrCat("--listen: cannot bind ", impl_->host, ":", impl_->port));
  }
  return absl::OkStatus();
}

int WebhookGateway::port() const { return impl_->port; }

void WebhookGateway::Serve(const std::atomic<bool>& stop) {
  std::thread http([this] { impl_->server.listen_after_bind(); });
  while (!stop.load()) impl_->producer->Poll(100);
  impl_->server.stop();
  http.join();
  // Answer in-flight requests' deliveries before the producer goes.
  auto flushed = impl_->producer->Flush(5000);
  if (!flushed.ok()) {
    Log(LogLevel::kWarn, "gateway stopping with records unacknowledged");
  }
}

}  // namespace custhub::gateway
