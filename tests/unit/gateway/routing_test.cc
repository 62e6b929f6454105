#include "src/gateway/routing.h"

#include <catch2/catch.hpp>
#include <map>

using namespace custhub::gateway;

namespace {

Lookup Map(std::map<std::string, std::string> m) {
  return [m = std::move(m)](absl::string_view name) {
    auto it = m.find(std::string(name));
    return it == m.end() ? std::string() : it->second;
  };
}

std::string HeaderOf(const Routed& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace

TEST_CASE("Shopify headers become the contract's headers and pick the topic",
          "[gateway]") {
  custhub::streams::InputTopics topics;
  auto order =
      RouteWebhook("shopify",
                   Map({{"X-Shopify-Topic", "orders/create"},
                        {"X-Shopify-Webhook-Id", "b54"}}),
                   Map({}), R"({"id":1,"email":"Ann@Example.com"})", topics);
  REQUIRE(order.ok());
  CHECK(order->topic == "orders");
  CHECK(order->key == "Ann@Example.com");
  CHECK(HeaderOf(*order, "source") == "shopify");
  CHECK(HeaderOf(*order, "event-type") == "orders/create");
  CHECK(HeaderOf(*order, "event-id") == "b54");
  auto refund =
      RouteWebhook("shopify", Map({{"X-Shopify-Topic", "refunds/create"}}),
                   Map({}), R"({"order_id":7})", topics);
  CHECK(refund->topic == "returns");
  CHECK(refund->key == "7");
}

TEST_CASE("help-desk and email sources go to their topics", "[gateway]") {
  custhub::streams::InputTopics topics;
  topics.support = "desk";
  auto zd =
      RouteWebhook("zendesk", Map({}), Map({{"event", "ticket.created"}}),
                   R"({"ticket_id":"5","requester_email":"a@b.com"})", topics);
  CHECK(zd->topic == "desk");
  CHECK(HeaderOf(*zd, "event-type") == "ticket.created");
  CHECK(zd->key == "a@b.com");
  auto wc = RouteWebhook("woocommerce",
                         Map({{"X-WC-Webhook-Topic", "order.updated"},
                              {"X-WC-Webhook-Delivery-ID", "d9"}}),
                         Map({}), "{}", topics);
  CHECK(wc->topic == "orders");
  CHECK(HeaderOf(*wc, "event-id") == "d9");
  auto mc =
      RouteWebhook("mailchimp", Map({}), Map({}), "type=subscribe", topics);
  CHECK(mc->topic == "email");
  CHECK(HeaderOf(*mc, "content-type") == "application/x-www-form-urlencoded");
  CHECK(RouteWebhook("sendgrid", Map({}), Map({}), "[]", topics)->topic ==
        "email");
}

TEST_CASE("unknown and canonical sources are not webhook sources",
          "[gateway]") {
  custhub::streams::InputTopics topics;
  CHECK(absl::IsInvalidArgument(
      RouteWebhook("myspace", Map({}), Map({}), "{}", topics).status()));
  CHECK(absl::IsInvalidArgument(
      RouteWebhook("canonical", Map({}), Map({}), "{}", topics).status()));
}
