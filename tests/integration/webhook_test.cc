// `custhub webhook` as a process, real HTTP requests with good and bad
// signatures, the embedded broker, and the hub folding what arrived.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "custhub/v1/state.pb.h"
#include "src/gateway/signatures.h"
#include "tests/integration/harness.h"
#include "tests/integration/subprocess.h"

using namespace custhub;
using namespace custhub::testing;

namespace {

const std::string kBin = CUSTHUB_BINARY;
const std::string kSecret = "shpss_integration";

std::string Fixture(const std::string& path) {
  std::ifstream in(std::string(CUSTHUB_TEST_DATA) + "/" + path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

httplib::Result PostShopify(httplib::Client& client, const std::string& topic,
                            const std::string& delivery,
                            const std::string& body, bool sign = true) {
  std::string mac = sign
                        ? absl::Base64Escape(gateway::HmacSha256(kSecret, body))
                        : "bm90IGEgc2lnbmF0dXJl";
  httplib::Headers headers{{"X-Shopify-Topic", topic},
                           {"X-Shopify-Webhook-Id", delivery},
                           {"X-Shopify-Hmac-Sha256", mac}};
  return client.Post("/webhooks/shopify", headers, body, "application/json");
}

}  // namespace

TEST_CASE("signed webhooks reach Kafka and fold once, refund before order",
          "[integration][webhook]") {
  auto broker = StartBroker(1, 2);
  TempDir dir;
  std::string config = dir.path + "/custhub.yaml";
  std::ofstream(config) << "listen: 127.0.0.1:0\n"
                        << "secrets:\n  shopify: " << kSecret << "\n";
  Child gw({kBin, "webhook", "--config", config, "--bootstrap",
            broker->bootstrap(), "--max-body-bytes", "65536"});
  std::string line = gw.ReadLine();
  REQUIRE(absl::StartsWith(line, "listening="));
  httplib::Client client("127.0.0.1", std::stoi(line.substr(10)));
  client.set_read_timeout(20, 0);

  std::string refund = Fixture("shopify/refund_partial.json");
  std::string order = Fixture("shopify/order_create.json");
  // The refund arrives before its order; the order is then retried.
  auto r1 = PostShopify(client, "refunds/create", "d-refund", refund);
  REQUIRE(r1);
  CHECK(r1->status == 200);
  auto r2 = PostShopify(client, "orders/create", "d-order", order);
  CHECK(r2->status == 200);
  auto r3 = PostShopify(client, "orders/create", "d-order", order);
  CHECK(r3->status == 200);
  // Refused: a bad signature, an unknown source, a body over the limit.
  CHECK(
      PostShopify(client, "orders/create", "d-forged", order, false)->status ==
      401);
  CHECK(client.Post("/webhooks/myspace", order, "application/json")->status ==
        400);
  std::string big(70000, ' ');
  CHECK(PostShopify(client, "orders/create", "d-big", big)->status == 413);
  CHECK(client.Get("/healthz")->status == 200);

  // Only the three accepted deliveries are on the topics, with the
  // contract's headers.
  auto orders = ReadTopic(broker->bootstrap(), "orders");
  auto returns = ReadTopic(broker->bootstrap(), "returns");
  REQUIRE(orders.size() == 2);
  REQUIRE(returns.size() == 1);
  CHECK(orders[0].headers.at("source") == "shopify");
  CHECK(orders[0].headers.at("event-type") == "orders/create");
  CHECK(orders[0].headers.at("event-id") == "d-order");
  CHECK(returns[0].headers.at("event-type") == "refunds/create");

  // The hub folds them: the retry counts once, the early refund applies.
  auto hub = streams::Hub::Create(
      TestHubOptions(broker->bootstrap(), dir.path + "/state"));
  REQUIRE(hub.ok());
  REQUIRE((*hub)->Start().ok());
  RunUntilCaughtUp(**hub);
  CHECK((*hub)->stats().duplicates == 1);
  CHECK((*hub)->stats().dlq == 0);
  auto id = (*hub)->store()->Get(store::Cf::kIdentifiers,
                                 "email:ann.lee@example.com");
  REQUIRE(id.ok());
  REQUIRE(id->has_value());
  v1::CustomerState s;
  REQUIRE(
      s.ParseFromString(**(*hub)->store()->Get(store::Cf::kProfiles, **id)));
  const auto& o = s.profile().orders();
  CHECK(o.count() == 1);
  CHECK(o.gross_revenue().minor() == 12050);
  CHECK(o.refunded().minor() == 7250);
  CHECK(o.net_revenue().minor() == 4800);
  CHECK(s.profile().returns().items_returned() == 1);
  CHECK(s.profile().external_ids().at("shopify") != "");
  CHECK(gw.Stop(SIGTERM) == 0);
}
