#include "src/api/server.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <httplib.h>

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/api/inspector_page.h"
#include "src/api/lookup.h"
#include "src/common/log.h"
#include "src/publish/outputs.h"

namespace custhub::api {
namespace {

constexpr const char* kJson = "application/json";
constexpr const char* kPrometheusText =
    "text/plain; version=0.0.4; charset=utf-8";

// `s` as a JSON string literal, escaped by protobuf's JSON printer.
std::string JsonQuote(const std::string& s) {
  google::protobuf::Value v;
  v.set_string_value(s);
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(v, &out).ok()) return "\"\"";
  return out;
}

std::string MessageJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions o;
  o.always_print_primitive_fields = true;
  std::string out;
  // Printing a valid, fully-linked message cannot fail; an empty object is
  // what a client would see if it ever did.
  if (!google::protobuf::util::MessageToJsonString(m, &out, o).ok()) out = "{}";
  return out;
}

void Reply(httplib::Response& res, int status, const std::string& body,
           const char* type) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body, type);
}

void ReplyError(httplib::Response& res, int status,
                const std::string& message) {
  Reply(res, status,
        absl::StrCat("{\"error\":{\"code\":", status,
                     ",\"message\":", JsonQuote(message), "}}\n"),
        kJson);
}

int HttpStatusOf(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace

absl::Status ApiOptions::Validate() const {
  if (default_limit == 0 || max_limit == 0 || default_limit > max_limit) {
    return absl::InvalidArgumentError(
        "api limits: need 0 < default_limit <= max_limit");
  }
  size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http: '", listen, "' is not host:port"));
  }
  return absl::OkStatus();
}

struct ApiServer::Impl {
  ApiOptions options;
  Sources sources;
  httplib::Server server;
  std::string host;
  int port = 0;
  std::thread thread;

  // The customer named by the first path match, or an error already sent.
  std::optional<custhub::v1::CustomerState> Customer(
      const httplib::Request& req, httplib::Response& res) {
    std::string id = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
    auto state = LookupCustomer(*sources.store, id);
    if (!state.ok()) {
      ReplyError(res, HttpStatusOf(state.status()),
                 std::string(state.status().message()));
      return std::nullopt;
    }
    if (!state->has_value()) {
      ReplyError(res, 404, absl::StrCat("no customer matches '", id, "'"));
      return std::nullopt;
    }
    return std::move(**state);
  }

  // ?limit=N: absent gives the default, above the maximum gives the
  // maximum; anything but a positive integer is refused (nullopt, 400 sent).
  std::optional<size_t> Limit(const httplib::Request& req,
                              httplib::Response& res) {
    if (!req.has_param("limit")) return options.default_limit;
    std::string text = req.get_param_value("limit");
    uint64_t n = 0;
    if (!absl::SimpleAtoi(text, &n) || n == 0) {
      ReplyError(
          res, 400,
          absl::StrCat("limit: expected a positive integer, got '", text, "'"));
      return std::nullopt;
    }
    return std::min<uint64_t>(n, options.max_limit);
  }

  void Profile(const httplib::Request& req, httplib::Response& res) {
    auto state = Customer(req, res);
    if (!state) return;
    Reply(res, 200, publish::ProfileJson(state->profile(), false) + "\n",
          kJson);
  }

  // {"customerId": "...", "<field>": [entry, ...]} for timeline and triggers.
  template <typename Fetch>
  void Entries(const httplib::Request& req, httplib::Response& res,
               const char* field, Fetch fetch) {
    auto state = Customer(req, res);
    if (!state) return;
    auto limit = Limit(req, res);
    if (!limit) return;
    const std::string& id = state->profile().customer_id();
    auto entries = fetch(*sources.store, id, *limit);
    if (!entries.ok()) {
      return ReplyError(res, HttpStatusOf(entries.status()),
                        std::string(entries.status().message()));
    }
    std::string body =
        absl::StrCat("{\"customerId\":", JsonQuote(id), ",\"", field, "\":[");
    for (size_t i = 0; i < entries->size(); ++i) {
      if (i > 0) body.push_back(',');
      body += MessageJson((*entries)[i]);
    }
    body += "]}\n";
    Reply(res, 200, body, kJson);
  }

  void Metrics(httplib::Response& res) {
    // The store's gauges are read at scrape time: RocksDB's properties are
    // safe to read from this thread, the hub's objects are not.
    MetricsRegistry local;
    MetricsRegistry* m = sources.metrics ? sources.metrics : &local;
    m->Gauge("custhub_rocksdb_disk_bytes",
             "Bytes of the state dir's SST files and live WAL.")
        .Set({}, static_cast<double>(sources.store->DiskBytes()));
    m->Counter("custhub_rocksdb_write_stalls_total",
               "RocksDB write slowdowns and stops since the hub started.")
        .Set({}, static_cast<double>(sources.store->WriteStalls()));
    m->Gauge("custhub_ready", "1 once the hub has caught up at start, else 0.")
        .Set({}, !sources.ready || sources.ready() ? 1 : 0);
    Reply(res, 200, m->Render(), kPrometheusText);
  }

  void Routes() {
    using Req = const httplib::Request&;
    using Res = httplib::Response&;
    server.Get("/", [](Req, Res res) {
      Reply(res, 200, std::string(InspectorPage()), "text/html; charset=utf-8");
    });
    server.Get("/healthz",
               [](Req, Res res) { Reply(res, 200, "ok\n", "text/plain"); });
    server.Get("/readyz", [this](Req, Res res) {
      bool ready = !sources.ready || sources.ready();
      Reply(res, ready ? 200 : 503, ready ? "ready\n" : "catching up\n",
            "text/plain");
    });
    server.Get("/metrics", [this](Req, Res res) { Metrics(res); });
    server.Get(R"(/v1/profiles/([^/]+)/timeline)", [this](Req req, Res res) {
      Entries(req, res, "entries", RecentTimeline);
    });
    server.Get(R"(/v1/profiles/([^/]+)/triggers)", [this](Req req, Res res) {
      Entries(req, res, "triggers", RecentTriggers);
    });
    server.Get(R"(/v1/profiles/([^/]+))",
               [this](Req req, Res res) { Profile(req, res); });
    server.set_error_handler([](Req, Res res) {
      // Handlers set their own bodies; fill in only httplib's empty ones.
      if (res.body.empty()) {
        ReplyError(res, res.status,
                   res.status == 404 ? "no such endpoint" : "request failed");
      }
    });
    server.set_exception_handler([](Req, Res res, std::exception_ptr) {
      ReplyError(res, 500, "internal error");
    });
  }
};

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ApiServer::~ApiServer() { Stop(); }

absl::StatusOr<std::unique_ptr<ApiServer>> ApiServer::Create(ApiOptions options,
                                                             Sources sources) {
  if (auto s = options.Validate(); !s.ok()) return s;
  if (sources.store == nullptr) {
    return absl::InvalidArgumentError("api: no state store");
  }
  auto impl = std::make_unique<Impl>();
  size_t colon = options.listen.rfind(':');
  impl->host = options.listen.substr(0, colon);
  if (!absl::SimpleAtoi(options.listen.substr(colon + 1), &impl->port)) {
    return absl::InvalidArgumentError("--http: bad port");
  }
  impl->options = std::move(options);
  impl->sources = std::move(sources);
  impl->Routes();
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

absl::Status ApiServer::Start() {
  if (impl_->port == 0) {
    impl_->port = impl_->server.bind_to_any_port(impl_->host);
    if (impl_->port <= 0) {
      return absl::UnavailableError(
          absl::StrCat("--http: cannot bind ", impl_->host));
    }
  } else if (!impl_->server.bind_to_port(impl_->host, impl_->port)) {
    return absl::UnavailableError(
        absl::StrCat("--http: cannot bind ", impl_->host, ":", impl_->port));
  }
  Impl* raw = impl_.get();
  impl_->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  Log(LogLevel::kInfo, "http api listening",
      {{"address", absl::StrCat(impl_->host, ":", impl_->port)}});
  return absl::OkStatus();
}

int ApiServer::port() const { return impl_->port; }

void ApiServer::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace custhub::api
