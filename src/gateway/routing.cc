#include "src/gateway/routing.h"

#include <simdjson.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "connectors/decode.h"

namespace custhub::gateway {
namespace {

// The first top-level field that names the customer or the resource, for the
// record key; empty if the body is not a JSON object.
std::string KeyFromBody(absl::string_view body) {
  static constexpr const char* kFields[] = {
      "email", "customer_email", "requester_email", "contact_email", "order_id",
      "id",    "ticket_id"};
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body.data(), body.size());
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return {};
  simdjson::ondemand::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return {};
  std::string found[std::size(kFields)];
  for (auto field : object) {
    std::string_view name;
    if (field.unescaped_key().get(name) != simdjson::SUCCESS) return {};
    for (size_t i = 0; i < std::size(kFields); ++i) {
      if (name != kFields[i] || !found[i].empty()) continue;
      std::string_view raw;
      if (field.value().raw_json_token().get(raw) != simdjson::SUCCESS) break;
      std::string v(raw);
      if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
      if (v != "null") found[i] = v;
    }
  }
  for (const auto& f : found) {
    if (!f.empty()) return f;
  }
  return {};
}

}  // namespace

absl::StatusOr<Routed> RouteWebhook(absl::string_view source,
                                    const Lookup& header, const Lookup& query,
                                    absl::string_view body,
                                    const streams::InputTopics& topics) {
  if (source == "canonical" || !connectors::IsKnownSource(source)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "source: '", source.substr(0, 64), "' is not a webhook source"));
  }
  std::string type, id;
  if (source == "shopify") {
    type = header("X-Shopify-Topic");
    id = header("X-Shopify-Webhook-Id");
    if (id.empty()) id = header("X-Shopify-Event-Id");
  } else if (source == "woocommerce") {
    type = header("X-WC-Webhook-Topic");
    id = header("X-WC-Webhook-Delivery-ID");
  } else if (source == "zendesk") {
    id = header("X-Zendesk-Webhook-Invocation-Id");
  }
  if (std::string t = query("event"); !t.empty()) type = t;
  if (type.empty()) type = header("X-Event-Type");
  if (std::string i = header("X-Event-Id"); id.empty() && !i.empty()) id = i;

  Routed r;
  if (source == "shopify") {
    r.topic =
        absl::StartsWith(type, "refunds/") ? topics.returns : topics.orders;
  } else if (source == "magento") {
    r.topic =
        absl::StrContains(type, "creditmemo") ? topics.returns : topics.orders;
  } else if (source == "woocommerce") {
    r.topic = topics.orders;
  } else if (source == "zendesk" || source == "gorgias") {
    r.topic = topics.support;
  } else {
    r.topic = topics.email;  // sendgrid, mailchimp, klaviyo
  }
  bool form = source == "mailchimp";
  r.key = form ? std::string() : KeyFromBody(body);
  r.headers.emplace_back("source", std::string(source));
  if (!type.empty()) r.headers.emplace_back("event-type", type);
  if (!id.empty()) r.headers.emplace_back("event-id", id);
  r.headers.emplace_back(
      "content-type",
      form ? "application/x-www-form-urlencoded" : "application/json");
  return r;
}

}  // namespace custhub::gateway
