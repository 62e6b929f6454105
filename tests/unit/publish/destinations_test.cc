// Destination formatters: each body parsed back with simdjson and checked
// field by field; mappings from the config map; change detection; erasure.
#include "src/publish/destinations.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "src/common/time.h"
#include "src/publish/outputs.h"
#include "tests/unit/publish/sample_profile.h"

namespace v1 = custhub::v1;
using namespace custhub::publish;

using custhub::testing::SampleProfile;
using custhub::testing::SetMoney;
using custhub::testing::SetTime;

namespace {

// A parsed body; JSON pointers ("/data/attributes/email") pick values.
class Json {
 public:
  explicit Json(const std::string& text) : root_(parser_.parse(text)) {}
  bool Has(const char* ptr) { return root_.at_pointer(ptr).error() == 0; }
  std::string S(const char* ptr) {
    return std::string(std::string_view(root_.at_pointer(ptr).get_string()));
  }
  int64_t I(const char* ptr) { return root_.at_pointer(ptr).get_int64(); }
  double D(const char* ptr) { return root_.at_pointer(ptr).get_double(); }
  bool B(const char* ptr) { return root_.at_pointer(ptr).get_bool(); }
  size_t Size(const char* ptr) {
    return simdjson::dom::object(root_.at_pointer(ptr)).size();
  }
  // Member names of an object, in document order.
  std::vector<std::string> Keys(const char* ptr) {
    std::vector<std::string> keys;
    for (auto field : simdjson::dom::object(root_.at_pointer(ptr))) {
      keys.emplace_back(field.key);
    }
    return keys;
  }

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
};

DestinationConfig Config(std::map<std::string, std::string> entries = {}) {
  auto config = DestinationConfigFromMap(entries);
  REQUIRE(config.ok());
  return *config;
}

// The one record on `topic`, failing the test unless there is exactly one.
v1::OutboxRecord On(const std::vector<v1::OutboxRecord>& records,
                    const std::string& topic) {
  const v1::OutboxRecord* found = nullptr;
  int n = 0;
  for (const auto& r : records) {
    if (r.topic() == topic) {
      found = &r;
      ++n;
    }
  }
  REQUIRE(n == 1);
  return *found;
}

std::vector<std::string> Topics(const std::vector<v1::OutboxRecord>& rs) {
  std::vector<std::string> topics;
  for (const auto& r : rs) topics.push_back(r.topic());
  return topics;
}

std::string Header(const v1::OutboxRecord& r, const std::string& name) {
  const std::string* v = custhub::publish::FindHeader(r, name);
  return v == nullptr ? "<none>" : *v;
}

}  // namespace

TEST_CASE(
    "hubspot contact upsert carries email, names, phone, stage and "
    "custom properties",
    "[publish]") {
  auto r = On(DestinationRecords(Config(), nullptr, SampleProfile()),
              "crm.contacts");
  CHECK(r.key() == "cus_1");
  CHECK(Header(r, "content-type") == "application/json");
  CHECK(Header(r, "destination") == "hubspot");
  CHECK(Header(r, "operation") == "upsert");
  Json j(r.value());
  CHECK(j.S("/idProperty") == "email");
  CHECK(j.S("/id") == "ana@example.com");
  CHECK(j.S("/properties/email") == "ana@example.com");
  CHECK(j.S("/properties/firstname") == "Ana");
  CHECK(j.S("/properties/lastname") == "Lopez");
  CHECK(j.S("/properties/phone") == "+14155550100");
  CHECK(j.S("/properties/lifecyclestage") == "customer");
  CHECK(j.S("/properties/custhub_lifecycle_stage") == "active");
  CHECK(j.S("/properties/custhub_customer_id") == "cus_1");
  CHECK(j.S("/properties/total_revenue") == "120.50");
  CHECK(j.S("/properties/total_revenue_currency") == "USD");
  CHECK(j.S("/properties/order_count") == "3");
  CHECK(j.S("/properties/last_order_date") == "2024-05-01T08:00:00Z");
  CHECK(j.S("/properties/open_tickets") == "1");
  CHECK(j.S("/properties/churn_risk") == "0.421");
  CHECK(j.Size("/properties") == 13);
}

TEST_CASE(
    "salesforce flavor renders an sObject record keyed by its external "
    "id field",
    "[publish]") {
  auto config = Config({{"destinations.crm.flavor", "salesforce"}});
  auto r =
      On(DestinationRecords(config, nullptr, SampleProfile()), "crm.contacts");
  CHECK(Header(r, "destination") == "salesforce");
  Json j(r.value());
  CHECK(j.S("/attributes/type") == "Contact");
  CHECK(j.S("/Custhub_Id__c") == "cus_1");
  CHECK(j.S("/Email") == "ana@example.com");
  CHECK(j.S("/FirstName") == "Ana");
  CHECK(j.S("/LastName") == "Lopez");
  CHECK(j.S("/Phone") == "+14155550100");
  CHECK(j.S("/Custhub_Lifecycle_Stage__c") == "active");
  CHECK(j.S("/Total_Revenue__c") == "120.50");
  CHECK_FALSE(j.Has("/Total_Revenue__c_currency"));
  CHECK(j.I("/Order_Count__c") == 3);
  CHECK(j.I("/Open_Tickets__c") == 1);
  CHECK(j.D("/Churn_Risk__c") == Approx(0.421));
  CHECK(j.S("/Last_Order_Date__c") == "2024-05-01T08:00:00Z");
}

TEST_CASE(
    "klaviyo profile carries email, E.164 phone, external id, names, "
    "properties and consent",
    "[publish]") {
  auto r = On(DestinationRecords(Config(), nullptr, SampleProfile()),
              "esp.profiles");
  CHECK(Header(r, "destination") == "klaviyo");
  Json j(r.value());
  CHECK(j.S("/data/type") == "profile");
  CHECK(j.S("/data/attributes/email") == "ana@example.com");
  CHECK(j.S("/data/attributes/phone_number") == "+14155550100");
  CHECK(j.S("/data/attributes/external_id") == "cus_1");
  CHECK(j.S("/data/attributes/first_name") == "Ana");
  CHECK(j.S("/data/attributes/last_name") == "Lopez");
  CHECK(j.S("/data/attributes/properties/email_consent") == "SUBSCRIBED");
  CHECK(j.S("/data/attributes/properties/lifecycle_stage") == "active");
  CHECK(j.S("/data/attributes/properties/total_revenue") == "120.50");
  CHECK(j.S("/data/attributes/properties/total_revenue_currency") == "USD");
  CHECK(j.I("/data/attributes/properties/order_count") == 3);
  CHECK(j.S("/data/attributes/properties/average_order_value") == "40.17");
  CHECK(j.S("/data/attributes/properties/first_order_date") ==
        "2024-01-10T09:00:00Z");
  CHECK(j.I("/data/attributes/properties/open_tickets") == 1);
  CHECK(j.D("/data/attributes/properties/churn_risk") == Approx(0.421));
  CHECK(j.S("/data/attributes/properties/predicted_ltv") == "300.00");
}

TEST_CASE(
    "erp customer master record carries billing contact, lifetime net "
    "revenue, return rate and refund total",
    "[publish]") {
  auto r = On(DestinationRecords(Config(), nullptr, SampleProfile()),
              "erp.customers");
  CHECK(Header(r, "destination") == "erp");
  Json j(r.value());
  CHECK(j.Keys("") == std::vector<std::string>{
                          "customer_id", "first_name", "last_name",
                          "billing_email", "billing_phone",
                          "lifetime_net_revenue", "currency", "return_rate",
                          "refund_total", "first_order_at", "last_order_at"});
  CHECK(j.S("/customer_id") == "cus_1");
  CHECK(j.S("/billing_email") == "ana@example.com");
  CHECK(j.S("/billing_phone") == "+14155550100");
  CHECK(j.S("/lifetime_net_revenue") == "120.50");
  CHECK(j.S("/currency") == "USD");
  CHECK(j.D("/return_rate") == Approx(0.333));
  CHECK(j.S("/refund_total") == "29.50");
  CHECK(j.S("/first_order_at") == "2024-01-10T09:00:00Z");
}

TEST_CASE("money renders exactly in the currency's major units", "[publish]") {
  struct Case {
    int64_t minor;
    const char* currency;
    const char* text;
  };
  for (const Case& c : {Case{12050, "USD", "120.50"}, Case{1500, "JPY", "1500"},
                        Case{1234, "KWD", "1.234"}, Case{5, "USD", "0.05"},
                        Case{-250, "EUR", "-2.50"}, Case{0, "USD", "0.00"},
                        Case{123456789012345, "USD", "1234567890123.45"}}) {
    auto p = SampleProfile();
    SetMoney(p.mutable_orders()->mutable_net_revenue(), c.minor, c.currency);
    Json j(
        On(DestinationRecords(Config(), nullptr, p), "erp.customers").value());
    INFO(c.minor << " " << c.currency);
    CHECK(j.S("/lifetime_net_revenue") == c.text);
  }
}

TEST_CASE(
    "a trigger becomes a klaviyo event whose unique id is the "
    "idempotency key",
    "[publish]") {
  v1::Trigger t;
  t.set_customer_id("cus_1");
  t.set_kind("abandoned_cart");
  SetTime(t.mutable_fired_at(), "2024-05-01T12:30:00Z");
  t.set_idempotency_key("trg:cus_1:abandoned_cart:42");
  t.set_reason("checkout open 1h, value 80.00 USD");
  auto records = TriggerEvents(Config(), t, SampleProfile());
  auto r = On(records, "esp.events");
  CHECK(r.key() == "cus_1");
  CHECK(Header(r, "idempotency-key") == "trg:cus_1:abandoned_cart:42");
  CHECK(Header(r, "operation") == "event");
  Json j(r.value());
  CHECK(j.S("/data/type") == "event");
  CHECK(j.S("/data/attributes/unique_id") == "trg:cus_1:abandoned_cart:42");
  CHECK(j.S("/data/attributes/time") == "2024-05-01T12:30:00Z");
  CHECK(j.S("/data/attributes/metric/data/type") == "metric");
  CHECK(j.S("/data/attributes/metric/data/attributes/name") ==
        "custhub abandoned_cart");
  CHECK(j.S("/data/attributes/profile/data/type") == "profile");
  CHECK(j.S("/data/attributes/profile/data/attributes/email") ==
        "ana@example.com");
  CHECK(j.S("/data/attributes/profile/data/attributes/phone_number") ==
        "+14155550100");
  CHECK(j.S("/data/attributes/profile/data/attributes/external_id") == "cus_1");
  CHECK(j.S("/data/attributes/properties/kind") == "abandoned_cart");
  CHECK(j.S("/data/attributes/properties/reason") ==
        "checkout open 1h, value 80.00 USD");
  CHECK_FALSE(j.Has("/data/attributes/properties/suppressed_by"));
}

TEST_CASE(
    "suppressed triggers stay off the ESP unless include_suppressed is "
    "set",
    "[publish]") {
  v1::Trigger t;
  t.set_customer_id("cus_1");
  t.set_kind("win_back");
  t.set_idempotency_key("k1");
  t.set_suppressed_by("open_ticket");
  CHECK(TriggerEvents(Config(), t, SampleProfile()).empty());
  auto config = Config({{"destinations.esp.events.include_suppressed", "true"},
                        {"destinations.esp.events.metric_prefix", "CH: "}});
  Json j(On(TriggerEvents(config, t, SampleProfile()), "esp.events").value());
  CHECK(j.S("/data/attributes/properties/suppressed_by") == "open_ticket");
  CHECK(j.S("/data/attributes/metric/data/attributes/name") == "CH: win_back");
  config.esp_events.enabled = false;
  CHECK(TriggerEvents(config, t, SampleProfile()).empty());
}

TEST_CASE(
    "renaming a property through the config map moves its value to "
    "the new name",
    "[publish]") {
  auto config = Config(
      {{"destinations.crm.properties.total_revenue", ""},
       {"destinations.crm.properties.lifetime_value", "orders.netRevenue"},
       {"destinations.erp.properties.return_rate", "returns.count"},
       {"destinations.esp.profiles.properties.shopify_id",
        "externalIds.shopify"}});
  auto records = DestinationRecords(config, nullptr, SampleProfile());
  Json crm(On(records, "crm.contacts").value());
  CHECK_FALSE(crm.Has("/properties/total_revenue"));
  CHECK(crm.S("/properties/lifetime_value") == "120.50");
  CHECK(crm.S("/properties/lifetime_value_currency") == "USD");
  auto keys = crm.Keys("/properties");
  CHECK(keys.back() == "lifetime_value_currency");  // appended at the end
  Json erp(On(records, "erp.customers").value());
  CHECK(erp.I("/return_rate") == 1);  // remapped in place, same position
  CHECK(erp.Keys("")[7] == "return_rate");
  Json esp(On(records, "esp.profiles").value());
  CHECK(esp.S("/data/attributes/properties/shopify_id") == "6405012345");
}

TEST_CASE(
    "dropping properties removes them, and default_properties false "
    "starts from none",
    "[publish]") {
  auto config =
      Config({{"destinations.crm.properties.churn_risk", ""},
              {"destinations.crm.properties.phone", ""},
              {"destinations.erp.default_properties", "false"},
              {"destinations.erp.properties.net", "orders.netRevenue"},
              {"destinations.erp.currency_suffix", "_ccy"}});
  auto records = DestinationRecords(config, nullptr, SampleProfile());
  Json crm(On(records, "crm.contacts").value());
  CHECK_FALSE(crm.Has("/properties/churn_risk"));
  CHECK_FALSE(crm.Has("/properties/phone"));
  CHECK(crm.Has("/properties/email"));
  Json erp(On(records, "erp.customers").value());
  CHECK(erp.Keys("") ==
        std::vector<std::string>{"customer_id", "net", "net_ccy"});
}

TEST_CASE("bad destination config is refused naming the key", "[publish]") {
  auto error = [](std::map<std::string, std::string> entries) {
    auto c = DestinationConfigFromMap(entries);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(c.status().message());
  };
  CHECK_THAT(error({{"destinations.crm.properties.x", "orders.netRevenu"}}),
             Catch::StartsWith("destinations.crm.properties.x: unknown "
                               "custhub field 'orders.netRevenu'"));
  CHECK_THAT(error({{"destinations.crm.flavor", "pipedrive"}}),
             Catch::StartsWith("destinations.crm.flavor:"));
  CHECK_THAT(error({{"destinations.erp.colour", "blue"}}),
             Catch::StartsWith("destinations.erp.colour: unknown key"));
  CHECK_THAT(error({{"destinations.esp.profiles.properties.nope", ""}}),
             Catch::StartsWith("destinations.esp.profiles.properties.nope: "
                               "no such property to drop"));
  CHECK_THAT(error({{"destinations.esp.events.enabled", "maybe"}}),
             Catch::StartsWith("destinations.esp.events.enabled:"));
  CHECK_THAT(error({{"destinations.ratio_decimals", "12"}}),
             Catch::StartsWith("destinations.ratio_decimals:"));
  CHECK_THAT(error({{"destinations.crm.properties.total_revenue_currency",
                     "orders.count"}}),
             Catch::Contains("written twice"));
  CHECK_THAT(error({{"destinations.erp.topic", ""}}),
             Catch::StartsWith("destinations.erp.topic: empty"));
  CHECK_THAT(error({{"destinations.crm.id_field", "orders.count"}}),
             Catch::StartsWith("destinations.crm.id_field:"));
  // Keys outside destinations. belong to other sections.
  CHECK(DestinationConfigFromMap({{"topics.orders", "shop.orders"}}).ok());
  CHECK(DestinationConfig{}.Validate().ok());
}

TEST_CASE(
    "a new customer gets a record on every destination that can "
    "identify them",
    "[publish]") {
  CHECK(Topics(DestinationRecords(Config(), nullptr, SampleProfile())) ==
        std::vector<std::string>{"crm.contacts", "esp.profiles",
                                 "erp.customers"});
  // HubSpot finds contacts by email: without one there is no CRM record.
  v1::CustomerProfile phone_only;
  phone_only.set_customer_id("cus_2");
  phone_only.add_phones("+447700900123");
  auto records = DestinationRecords(Config(), nullptr, phone_only);
  CHECK(Topics(records) ==
        std::vector<std::string>{"esp.profiles", "erp.customers"});
  // Absent values are left out, not sent empty.
  Json esp(On(records, "esp.profiles").value());
  CHECK_FALSE(esp.Has("/data/attributes/email"));
  CHECK_FALSE(esp.Has("/data/attributes/first_name"));
  CHECK_FALSE(esp.Has("/data/attributes/properties/total_revenue"));
  CHECK(esp.S("/data/attributes/phone_number") == "+447700900123");
  Json erp(On(records, "erp.customers").value());
  CHECK(erp.Keys("") == std::vector<std::string>{"customer_id", "billing_phone",
                                                 "return_rate"});
}

TEST_CASE("only destinations carrying a changed field get a record",
          "[publish]") {
  const auto config = Config();
  const auto before = SampleProfile();
  CHECK(DestinationRecords(config, &before, before).empty());

  auto opened = before;  // email opens: carried by no default mapping
  opened.mutable_email()->set_opens(6);
  opened.set_events_applied(99);
  CHECK(DestinationRecords(config, &before, opened).empty());

  auto ticket = before;  // open tickets: CRM and ESP, not ERP
  ticket.mutable_support()->set_open_tickets(0);
  CHECK(Topics(DestinationRecords(config, &before, ticket)) ==
        std::vector<std::string>{"crm.contacts", "esp.profiles"});

  auto refund = before;  // refund total: ERP only
  refund.mutable_orders()->mutable_refunded()->set_minor(3000);
  CHECK(Topics(DestinationRecords(config, &before, refund)) ==
        std::vector<std::string>{"erp.customers"});

  auto consent = before;  // consent: ESP only
  consent.mutable_email()->set_consent(v1::EmailStats::UNSUBSCRIBED);
  auto records = DestinationRecords(config, &before, consent);
  REQUIRE(Topics(records) == std::vector<std::string>{"esp.profiles"});
  Json j(records[0].value());
  CHECK(j.S("/data/attributes/properties/email_consent") == "UNSUBSCRIBED");

  // Mapping opens makes them carried.
  auto mapped = Config({{"destinations.erp.properties.opens", "email.opens"}});
  CHECK(Topics(DestinationRecords(mapped, &before, opened)) ==
        std::vector<std::string>{"erp.customers"});
}

TEST_CASE("erasure emits each destination's delete form", "[publish]") {
  auto records = DestinationDeletes(Config(), SampleProfile());
  REQUIRE(Topics(records) ==
          std::vector<std::string>{"crm.contacts", "crm.contacts",
                                   "esp.profiles", "esp.profiles",
                                   "esp.profiles", "erp.customers"});
  for (const auto& r : records) {
    CHECK(r.key() == "cus_1");
    CHECK(Header(r, "operation") == "delete");
  }
  Json hubspot(records[0].value());
  CHECK(hubspot.S("/objectId") == "ana@example.com");
  CHECK(hubspot.S("/idProperty") == "email");
  CHECK(Json(records[1].value()).S("/objectId") == "ana.work@example.com");
  Json klaviyo(records[2].value());
  CHECK(klaviyo.S("/data/type") == "data-privacy-deletion-job");
  CHECK(klaviyo.S("/data/attributes/profile/data/type") == "profile");
  CHECK(klaviyo.S("/data/attributes/profile/data/attributes/email") ==
        "ana@example.com");
  CHECK(Json(records[4].value())
            .S("/data/attributes/profile/data/attributes/phone_number") ==
        "+14155550100");
  Json erp(records[5].value());
  CHECK(erp.S("/customer_id") == "cus_1");
  CHECK(erp.B("/deleted"));
  CHECK(erp.Size("") == 2);
}

TEST_CASE("salesforce erasure deletes the contact by its external id",
          "[publish]") {
  auto config = Config({{"destinations.crm.flavor", "salesforce"},
                        {"destinations.crm.salesforce_object", "Lead"},
                        {"destinations.esp.profiles.enabled", "false"},
                        {"destinations.erp.enabled", "no"}});
  auto records = DestinationDeletes(config, SampleProfile());
  auto r = On(records, "crm.contacts");
  CHECK(records.size() == 1);
  CHECK(Header(r, "destination") == "salesforce");
  Json j(r.value());
  CHECK(j.S("/attributes/type") == "Lead");
  CHECK(j.S("/Custhub_Id__c") == "cus_1");
}

TEST_CASE(
    "unicode names and quotes are escaped so the body parses back to "
    "the same text",
    "[publish]") {
  const std::string first = "Zoë \"Zed\" Ångström 日本 😀";
  const std::string last =
      "O'Brien\\back\nslash\t\x01 \xE2\x80\xA8"
      "end";
  auto p = SampleProfile();
  p.set_first_name(first);
  p.set_last_name(last);
  for (const auto& r : DestinationRecords(Config(), nullptr, p)) {
    INFO(r.value());
    CHECK(r.value().find('\n') == std::string::npos);
    CHECK(r.value().find('\x01') == std::string::npos);
    CHECK(r.value().find("\\u2028") != std::string::npos);
  }
  auto records = DestinationRecords(Config(), nullptr, p);
  Json crm(On(records, "crm.contacts").value());
  CHECK(crm.S("/properties/firstname") == first);
  CHECK(crm.S("/properties/lastname") == last);
  Json esp(On(records, "esp.profiles").value());
  CHECK(esp.S("/data/attributes/first_name") == first);
  CHECK(esp.S("/data/attributes/last_name") == last);
  // Invalid UTF-8 cannot reach a destination as broken JSON.
  p.set_first_name("bad \xFF\xC3 byte");
  Json erp(
      On(DestinationRecords(Config(), nullptr, p), "erp.customers").value());
  CHECK(erp.S("/first_name") == "bad \xEF\xBF\xBD\xEF\xBF\xBD byte");
}

TEST_CASE(
    "topics and destinations are configurable and rendering is "
    "deterministic",
    "[publish]") {
  auto config = Config({{"destinations.crm.topic", "hubspot.contacts"},
                        {"destinations.esp.profiles.enabled", "false"},
                        {"destinations.erp.topic", "sap.customers"},
                        {"destinations.ratio_decimals", "1"}});
  auto p = SampleProfile();
  (*p.mutable_external_ids())["zendesk"] = "z-9";
  auto a = DestinationRecords(config, nullptr, p);
  CHECK(Topics(a) ==
        std::vector<std::string>{"hubspot.contacts", "sap.customers"});
  CHECK(Json(a[1].value()).D("/return_rate") == Approx(0.3));
  v1::CustomerProfile copy;
  REQUIRE(copy.ParseFromString(p.SerializeAsString()));
  auto b = DestinationRecords(config, nullptr, copy);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].value() == b[i].value());
}

TEST_CASE("destination field types follow the contract's field names",
          "[publish]") {
  CHECK(DestinationFieldType("orders.netRevenue") == FieldType::kMoney);
  CHECK(DestinationFieldType("orders.lastOrderAt") == FieldType::kTime);
  CHECK(DestinationFieldType("checkout.since") == FieldType::kTime);
  CHECK(DestinationFieldType("checkout.open") == FieldType::kBool);
  CHECK(DestinationFieldType("traits.churnRisk") == FieldType::kRatio);
  CHECK(DestinationFieldType("support.openTickets") == FieldType::kInteger);
  CHECK(DestinationFieldType("email.consent") == FieldType::kString);
  CHECK(DestinationFieldType("emails[1]") == FieldType::kString);
  CHECK(DestinationFieldType("externalIds.shopify") == FieldType::kString);
  CHECK_FALSE(DestinationFieldType("externalIds."));
  CHECK_FALSE(DestinationFieldType("emails[x]"));
  CHECK_FALSE(DestinationFieldType("orders"));
  for (const auto& mappings :
       {DefaultHubSpotProperties(), DefaultSalesforceProperties(),
        DefaultKlaviyoProperties(), DefaultErpProperties()}) {
    for (const auto& m : mappings) {
      INFO(m.field);
      CHECK(DestinationFieldType(m.field).has_value());
    }
  }
}
