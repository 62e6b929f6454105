// Rendered bodies pinned byte for byte, so a change to the formatters that
// changes what a destination receives fails here (the other publish tests
// parse bodies back and would not notice reordered keys, other number
// spellings or other escapes). The expected bodies were printed by the
// formatters before they were rewritten for speed (branch perf-publish);
// when a change to a body is intended, update the body here with it.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/common/time.h"
#include "src/publish/destinations.h"
#include "tests/unit/publish/sample_profile.h"

namespace v1 = custhub::v1;
using namespace custhub::publish;

using custhub::testing::SampleProfile;
using custhub::testing::SetMoney;
using custhub::testing::SetTime;

namespace {

// Every field set, to values that exercise the formatters' edges: text
// that needs escaping or is not UTF-8, a zero-decimal and a three-decimal
// currency, negative money, fractional seconds, a ratio on a rounding tie.
v1::CustomerProfile EdgeProfile() {
  v1::CustomerProfile p;
  p.set_customer_id("cus_\"9\"");
  p.add_emails("zoe@example.jp");
  p.add_emails("zoe+\x01@example.jp");
  p.add_phones("+81312345678");
  (*p.mutable_external_ids())["shopify"] = "sh\\op";
  (*p.mutable_external_ids())["zendesk"] = "z-1";
  p.set_first_name(
      "Zo\xC3\xAB \"Z\" \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80");
  p.set_last_name("O'Brien\tx\n\xE2\x80\xA8 bad \xFF\xC3 end");
  auto* o = p.mutable_orders();
  o->set_count(12);
  SetTime(o->mutable_first_order_at(), "1999-12-31T23:59:59Z", 1000);
  SetTime(o->mutable_last_order_at(), "2024-02-29T12:00:00Z", 123456000);
  SetMoney(o->mutable_gross_revenue(), 1500, "JPY");
  SetMoney(o->mutable_refunded(), -250, "JPY");
  SetMoney(o->mutable_net_revenue(), 1750, "JPY");
  SetMoney(o->mutable_average_order_value(), 5, "KWD");
  o->set_cancelled_count(2);
  o->set_open_count(1);
  o->set_items_bought(40);
  p.mutable_returns()->set_count(3);
  p.mutable_returns()->set_items_returned(2);
  p.mutable_returns()->set_return_rate(0.0625);
  SetTime(p.mutable_returns()->mutable_last_return_at(),
          "2024-03-01T00:00:00Z");
  p.mutable_support()->set_open_tickets(0);
  p.mutable_support()->set_total_tickets(7);
  SetTime(p.mutable_support()->mutable_last_ticket_at(),
          "2024-03-02T03:04:05Z");
  p.mutable_support()->set_last_satisfaction("bad");
  p.mutable_email()->set_consent(v1::EmailStats::SPAM_COMPLAINT);
  p.mutable_email()->set_delivered(100);
  p.mutable_email()->set_opens(-1);
  p.mutable_email()->set_clicks(2147483647);
  p.mutable_email()->set_bounces(1);
  p.mutable_email()->set_spam_complaints(1);
  SetTime(p.mutable_email()->mutable_last_open_at(), "2024-03-03T00:00:00Z");
  p.mutable_email()->mutable_last_click_at();  // present but zero: absent
  p.mutable_checkout()->set_open(true);
  SetMoney(p.mutable_checkout()->mutable_value(), -9223372036854775807LL - 1,
           "USD");
  SetTime(p.mutable_checkout()->mutable_since(), "2024-03-04T05:06:07Z");
  p.mutable_checkout()->set_checkout_token("tok");
  p.mutable_traits()->set_recency(5);
  p.mutable_traits()->set_frequency(4);
  p.mutable_traits()->set_monetary(3);
  p.mutable_traits()->set_lifecycle_stage("vip");
  p.mutable_traits()->set_churn_risk(-0.0001);
  SetMoney(p.mutable_traits()->mutable_predicted_ltv(), 123456789012345, "CLF");
  SetTime(p.mutable_first_seen_at(), "1970-01-01T00:00:01Z");
  SetTime(p.mutable_last_event_at(), "2024-03-05T00:00:00Z", 999999999);
  p.set_events_applied(77);
  return p;
}

// Every custhub field, mapped as "f_<path>".
const char* const kEveryField[] = {"customerId",
                                   "firstName",
                                   "lastName",
                                   "firstSeenAt",
                                   "lastEventAt",
                                   "orders.count",
                                   "orders.firstOrderAt",
                                   "orders.lastOrderAt",
                                   "orders.grossRevenue",
                                   "orders.refunded",
                                   "orders.netRevenue",
                                   "orders.averageOrderValue",
                                   "orders.cancelledCount",
                                   "orders.openCount",
                                   "orders.itemsBought",
                                   "orders.currency",
                                   "returns.count",
                                   "returns.itemsReturned",
                                   "returns.returnRate",
                                   "returns.lastReturnAt",
                                   "support.openTickets",
                                   "support.totalTickets",
                                   "support.lastTicketAt",
                                   "support.lastSatisfaction",
                                   "email.consent",
                                   "email.delivered",
                                   "email.opens",
                                   "email.clicks",
                                   "email.bounces",
                                   "email.spamComplaints",
                                   "email.lastOpenAt",
                                   "email.lastClickAt",
                                   "checkout.open",
                                   "checkout.value",
                                   "checkout.since",
                                   "traits.recency",
                                   "traits.frequency",
                                   "traits.monetary",
                                   "traits.lifecycleStage",
                                   "traits.churnRisk",
                                   "traits.predictedLtv",
                                   "traits.crmLifecycleStage",
                                   "emails[1]",
                                   "phones[3]",
                                   "externalIds.shopify",
                                   "externalIds.missing"};

// HubSpot (all strings) and ERP (typed) carry every field; Klaviyo renames
// its currency sibling; ratios keep 2 decimals.
std::map<std::string, std::string> EveryFieldEntries(
    const std::string& flavor) {
  std::map<std::string, std::string> e = {
      {"destinations.ratio_decimals", "2"},
      {"destinations.crm.flavor", flavor},
      {"destinations.crm.default_properties", "false"},
      {"destinations.erp.default_properties", "false"},
      {"destinations.esp.profiles.currency_suffix", "_ccy"},
      {"destinations.esp.profiles.properties.churn_risk", ""},
      {"destinations.esp.profiles.properties.rate", "returns.returnRate"},
      {"destinations.crm.currency_suffix", "_currency"},
  };
  for (const char* field : kEveryField) {
    std::string name = std::string("f_") + field;
    e["destinations.crm.properties." + name] = field;
    e["destinations.erp.properties." + name] = field;
  }
  return e;
}

DestinationConfig MustConfig(const std::map<std::string, std::string>& e) {
  auto config = DestinationConfigFromMap(e);
  if (!config.ok()) std::abort();
  return *config;
}

// (what, body) for every body the pinned cases render, in a fixed order.
std::vector<std::pair<std::string, std::string>> RenderPinnedCases() {
  std::vector<std::pair<std::string, std::string>> out;
  auto bodies = [&](const std::string& what, const DestinationConfig& config,
                    const v1::CustomerProfile& p) {
    DestinationBodies b = RenderDestinations(config, p);
    out.emplace_back(what + " crm", b.crm.value_or("<none>"));
    out.emplace_back(what + " esp.profiles", b.esp_profile.value_or("<none>"));
    out.emplace_back(what + " erp", b.erp.value_or("<none>"));
  };
  auto records = [&](const std::string& what,
                     const std::vector<v1::OutboxRecord>& rs) {
    for (const auto& r : rs)
      out.emplace_back(what + " " + r.topic(), r.value());
  };
  const DestinationConfig defaults = MustConfig({});
  const DestinationConfig salesforce =
      MustConfig({{"destinations.crm.flavor", "salesforce"}});
  v1::CustomerProfile sparse;
  sparse.set_customer_id("cus_2");
  sparse.add_phones("+447700900123");

  bodies("sample", defaults, SampleProfile());
  bodies("sample salesforce", salesforce, SampleProfile());
  bodies("sparse", defaults, sparse);
  bodies("edge", defaults, EdgeProfile());
  bodies("edge every field hubspot", MustConfig(EveryFieldEntries("hubspot")),
         EdgeProfile());
  bodies("edge every field salesforce",
         MustConfig(EveryFieldEntries("salesforce")), EdgeProfile());

  v1::Trigger t;
  t.set_customer_id("cus_1");
  t.set_kind("abandoned_cart");
  SetTime(t.mutable_fired_at(), "2024-05-01T12:30:00Z", 250000000);
  t.set_idempotency_key("0123456789abcdef0123456789abcdef");
  t.set_reason("checkout tok worth 80.00 USD \"open\"");
  records("trigger", TriggerEvents(defaults, t, SampleProfile()));
  t.set_suppressed_by("frequency_cap");
  t.clear_fired_at();
  records(
      "suppressed trigger",
      TriggerEvents(
          MustConfig({{"destinations.esp.events.include_suppressed", "true"},
                      {"destinations.esp.events.metric_prefix", "\xC3"}}),
          t, sparse));
  records("deletes", DestinationDeletes(defaults, SampleProfile()));
  records("deletes salesforce", DestinationDeletes(salesforce, EdgeProfile()));
  return out;
}

// What RenderPinnedCases gives, in its order.
const std::
    pair<const char*, const char*>
        kPinned
            [] =
                {
                    {"sample crm",
                     R"json({"idProperty":"email","id":"ana@example.com","properties":{"email":"ana@example.com","firstname":"Ana","lastname":"Lopez","phone":"+14155550100","lifecyclestage":"customer","custhub_customer_id":"cus_1","custhub_lifecycle_stage":"active","total_revenue":"120.50","total_revenue_currency":"USD","order_count":"3","last_order_date":"2024-05-01T08:00:00Z","open_tickets":"1","churn_risk":"0.421"}})json"},
                    {"sample esp.profiles",
                     R"json({"data":{"type":"profile","attributes":{"email":"ana@example.com","phone_number":"+14155550100","external_id":"cus_1","first_name":"Ana","last_name":"Lopez","properties":{"lifecycle_stage":"active","total_revenue":"120.50","total_revenue_currency":"USD","order_count":3,"average_order_value":"40.17","average_order_value_currency":"USD","first_order_date":"2024-01-10T09:00:00Z","last_order_date":"2024-05-01T08:00:00Z","open_tickets":1,"churn_risk":0.421,"predicted_ltv":"300.00","predicted_ltv_currency":"USD","email_consent":"SUBSCRIBED"}}}})json"},
                    {"sample erp",
                     R"json({"customer_id":"cus_1","first_name":"Ana","last_name":"Lopez","billing_email":"ana@example.com","billing_phone":"+14155550100","lifetime_net_revenue":"120.50","currency":"USD","return_rate":0.333,"refund_total":"29.50","first_order_at":"2024-01-10T09:00:00Z","last_order_at":"2024-05-01T08:00:00Z"})json"},
                    {"sample salesforce crm",
                     R"json({"attributes":{"type":"Contact"},"Custhub_Id__c":"cus_1","Email":"ana@example.com","FirstName":"Ana","LastName":"Lopez","Phone":"+14155550100","Custhub_Lifecycle_Stage__c":"active","Total_Revenue__c":"120.50","Order_Count__c":3,"Last_Order_Date__c":"2024-05-01T08:00:00Z","Open_Tickets__c":1,"Churn_Risk__c":0.421})json"},
                    {"sample salesforce esp.profiles",
                     R"json({"data":{"type":"profile","attributes":{"email":"ana@example.com","phone_number":"+14155550100","external_id":"cus_1","first_name":"Ana","last_name":"Lopez","properties":{"lifecycle_stage":"active","total_revenue":"120.50","total_revenue_currency":"USD","order_count":3,"average_order_value":"40.17","average_order_value_currency":"USD","first_order_date":"2024-01-10T09:00:00Z","last_order_date":"2024-05-01T08:00:00Z","open_tickets":1,"churn_risk":0.421,"predicted_ltv":"300.00","predicted_ltv_currency":"USD","email_consent":"SUBSCRIBED"}}}})json"},
                    {"sample salesforce erp",
                     R"json({"customer_id":"cus_1","first_name":"Ana","last_name":"Lopez","billing_email":"ana@example.com","billing_phone":"+14155550100","lifetime_net_revenue":"120.50","currency":"USD","return_rate":0.333,"refund_total":"29.50","first_order_at":"2024-01-10T09:00:00Z","last_order_at":"2024-05-01T08:00:00Z"})json"},
                    {"sparse crm", R"json(<none>)json"},
                    {"sparse esp.profiles",
                     R"json({"data":{"type":"profile","attributes":{"phone_number":"+447700900123","external_id":"cus_2","properties":{"order_count":0,"open_tickets":0,"churn_risk":0,"email_consent":"UNKNOWN"}}}})json"},
                    {"sparse erp",
                     R"json({"customer_id":"cus_2","billing_phone":"+447700900123","return_rate":0})json"},
                    {"edge crm",
                     R"json({"idProperty":"email","id":"zoe@example.jp","properties":{"email":"zoe@example.jp","firstname":"Zoë \"Z\" 日本 😀","lastname":"O'Brien\tx\n\u2028 bad �� end","phone":"+81312345678","lifecyclestage":"customer","custhub_customer_id":"cus_\"9\"","custhub_lifecycle_stage":"vip","total_revenue":"1750","total_revenue_currency":"JPY","order_count":"12","last_order_date":"2024-02-29T12:00:00.123456Z","open_tickets":"0","churn_risk":"0"}})json"},
                    {"edge esp.profiles", R"json({"data":{"type":"profile","attributes":{"email":"zoe@example.jp","phone_number":"+81312345678","external_id":"cus_\"9\"","first_name":"Zoë \"Z\" 日本 😀","last_name":"O'Brien\tx\n\u2028 bad �� end","properties":{"lifecycle_stage":"vip","total_revenue":"1750","total_revenue_currency":"JPY","order_count":12,"average_order_value":"0.005","average_order_value_currency":"KWD","first_order_date":"1999-12-31T23:59:59.000001Z","last_order_date":"2024-02-29T12:00:00.123456Z","open_tickets":0,"churn_risk":0,"predicted_ltv":"12345678901.2345","predicted_ltv_currency":"CLF","email_consent":"SPAM_COMPLAINT"}}}})json"},
                    {"edge erp",
                     R"json({"customer_id":"cus_\"9\"","first_name":"Zoë \"Z\" 日本 😀","last_name":"O'Brien\tx\n\u2028 bad �� end","billing_email":"zoe@example.jp","billing_phone":"+81312345678","lifetime_net_revenue":"1750","currency":"JPY","return_rate":0.062,"refund_total":"-250","first_order_at":"1999-12-31T23:59:59.000001Z","last_order_at":"2024-02-29T12:00:00.123456Z"})json"},
                    {"edge every field hubspot crm",
                     R"json({"idProperty":"email","id":"zoe@example.jp","properties":{"f_checkout.open":"true","f_checkout.since":"2024-03-04T05:06:07Z","f_checkout.value":"-92233720368547758.08","f_checkout.value_currency":"USD","f_customerId":"cus_\"9\"","f_email.bounces":"1","f_email.clicks":"2147483647","f_email.consent":"SPAM_COMPLAINT","f_email.delivered":"100","f_email.lastOpenAt":"2024-03-03T00:00:00Z","f_email.opens":"-1","f_email.spamComplaints":"1","f_emails[1]":"zoe+\u0001@example.jp","f_externalIds.shopify":"sh\\op","f_firstName":"Zoë \"Z\" 日本 😀","f_firstSeenAt":"1970-01-01T00:00:01Z","f_lastEventAt":"2024-03-05T00:00:00.999999Z","f_lastName":"O'Brien\tx\n\u2028 bad �� end","f_orders.averageOrderValue":"0.005","f_orders.averageOrderValue_currency":"KWD","f_orders.cancelledCount":"2","f_orders.count":"12","f_orders.currency":"JPY","f_orders.firstOrderAt":"1999-12-31T23:59:59.000001Z","f_orders.grossRevenue":"1500","f_orders.grossRevenue_currency":"JPY","f_orders.itemsBought":"40","f_orders.lastOrderAt":"2024-02-29T12:00:00.123456Z","f_orders.netRevenue":"1750","f_orders.netRevenue_currency":"JPY","f_orders.openCount":"1","f_orders.refunded":"-250","f_orders.refunded_currency":"JPY","f_returns.count":"3","f_returns.itemsReturned":"2","f_returns.lastReturnAt":"2024-03-01T00:00:00Z","f_returns.returnRate":"0.06","f_support.lastSatisfaction":"bad","f_support.lastTicketAt":"2024-03-02T03:04:05Z","f_support.openTickets":"0","f_support.totalTickets":"7","f_traits.churnRisk":"0","f_traits.crmLifecycleStage":"customer","f_traits.frequency":"4","f_traits.lifecycleStage":"vip","f_traits.monetary":"3","f_traits.predictedLtv":"12345678901.2345","f_traits.predictedLtv_currency":"CLF","f_traits.recency":"5"}})json"},
                    {"edge every field hubspot esp.profiles",
                     R"json({"data":{"type":"profile","attributes":{"email":"zoe@example.jp","phone_number":"+81312345678","external_id":"cus_\"9\"","first_name":"Zoë \"Z\" 日本 😀","last_name":"O'Brien\tx\n\u2028 bad �� end","properties":{"lifecycle_stage":"vip","total_revenue":"1750","total_revenue_ccy":"JPY","order_count":12,"average_order_value":"0.005","average_order_value_ccy":"KWD","first_order_date":"1999-12-31T23:59:59.000001Z","last_order_date":"2024-02-29T12:00:00.123456Z","open_tickets":0,"predicted_ltv":"12345678901.2345","predicted_ltv_ccy":"CLF","email_consent":"SPAM_COMPLAINT","rate":0.06}}}})json"},
                    {"edge every field hubspot erp", R"json({"customer_id":"cus_\"9\"","f_checkout.open":true,"f_checkout.since":"2024-03-04T05:06:07Z","f_checkout.value":"-92233720368547758.08","f_customerId":"cus_\"9\"","f_email.bounces":1,"f_email.clicks":2147483647,"f_email.consent":"SPAM_COMPLAINT","f_email.delivered":100,"f_email.lastOpenAt":"2024-03-03T00:00:00Z","f_email.opens":-1,"f_email.spamComplaints":1,"f_emails[1]":"zoe+\u0001@example.jp","f_externalIds.shopify":"sh\\op","f_firstName":"Zoë \"Z\" 日本 😀","f_firstSeenAt":"1970-01-01T00:00:01Z","f_lastEventAt":"2024-03-05T00:00:00.999999Z","f_lastName":"O'Brien\tx\n\u2028 bad �� end","f_orders.averageOrderValue":"0.005","f_orders.cancelledCount":2,"f_orders.count":12,"f_orders.currency":"JPY","f_orders.firstOrderAt":"1999-12-31T23:59:59.000001Z","f_orders.grossRevenue":"1500","f_orders.itemsBought":40,"f_orders.lastOrderAt":"2024-02-29T12:00:00.123456Z","f_orders.netRevenue":"1750","f_orders.openCount":1,"f_orders.refunded":"-250","f_returns.count":3,"f_returns.itemsReturned":2,"f_returns.lastReturnAt":"2024-03-01T00:00:00Z","f_returns.returnRate":0.06,"f_support.lastSatisfaction":"bad","f_support.lastTicketAt":"2024-03-02T03:04:05Z","f_support.openTickets":0,"f_support.totalTickets":7,"f_traits.churnRisk":0,"f_traits.crmLifecycleStage":"customer","f_traits.frequency":4,"f_traits.lifecycleStage":"vip","f_traits.monetary":3,"f_traits.predictedLtv":"12345678901.2345","f_traits.recency":5})json"},
                    {"edge every field salesforce crm",
                     R"json({"attributes":{"type":"Contact"},"Custhub_Id__c":"cus_\"9\"","f_checkout.open":true,"f_checkout.since":"2024-03-04T05:06:07Z","f_checkout.value":"-92233720368547758.08","f_checkout.value_currency":"USD","f_customerId":"cus_\"9\"","f_email.bounces":1,"f_email.clicks":2147483647,"f_email.consent":"SPAM_COMPLAINT","f_email.delivered":100,"f_email.lastOpenAt":"2024-03-03T00:00:00Z","f_email.opens":-1,"f_email.spamComplaints":1,"f_emails[1]":"zoe+\u0001@example.jp","f_externalIds.shopify":"sh\\op","f_firstName":"Zoë \"Z\" 日本 😀","f_firstSeenAt":"1970-01-01T00:00:01Z","f_lastEventAt":"2024-03-05T00:00:00.999999Z","f_lastName":"O'Brien\tx\n\u2028 bad �� end","f_orders.averageOrderValue":"0.005","f_orders.averageOrderValue_currency":"KWD","f_orders.cancelledCount":2,"f_orders.count":12,"f_orders.currency":"JPY","f_orders.firstOrderAt":"1999-12-31T23:59:59.000001Z","f_orders.grossRevenue":"1500","f_orders.grossRevenue_currency":"JPY","f_orders.itemsBought":40,"f_orders.lastOrderAt":"2024-02-29T12:00:00.123456Z","f_orders.netRevenue":"1750","f_orders.netRevenue_currency":"JPY","f_orders.openCount":1,"f_orders.refunded":"-250","f_orders.refunded_currency":"JPY","f_returns.count":3,"f_returns.itemsReturned":2,"f_returns.lastReturnAt":"2024-03-01T00:00:00Z","f_returns.returnRate":0.06,"f_support.lastSatisfaction":"bad","f_support.lastTicketAt":"2024-03-02T03:04:05Z","f_support.openTickets":0,"f_support.totalTickets":7,"f_traits.churnRisk":0,"f_traits.crmLifecycleStage":"customer","f_traits.frequency":4,"f_traits.lifecycleStage":"vip","f_traits.monetary":3,"f_traits.predictedLtv":"12345678901.2345","f_traits.predictedLtv_currency":"CLF","f_traits.recency":5})json"},
                    {"edge every field salesforce esp.profiles",
                     R"json({"data":{"type":"profile","attributes":{"email":"zoe@example.jp","phone_number":"+81312345678","external_id":"cus_\"9\"","first_name":"Zoë \"Z\" 日本 😀","last_name":"O'Brien\tx\n\u2028 bad �� end","properties":{"lifecycle_stage":"vip","total_revenue":"1750","total_revenue_ccy":"JPY","order_count":12,"average_order_value":"0.005","average_order_value_ccy":"KWD","first_order_date":"1999-12-31T23:59:59.000001Z","last_order_date":"2024-02-29T12:00:00.123456Z","open_tickets":0,"predicted_ltv":"12345678901.2345","predicted_ltv_ccy":"CLF","email_consent":"SPAM_COMPLAINT","rate":0.06}}}})json"},
                    {"edge every field salesforce erp",
                     R"json({"customer_id":"cus_\"9\"","f_checkout.open":true,"f_checkout.since":"2024-03-04T05:06:07Z","f_checkout.value":"-92233720368547758.08","f_customerId":"cus_\"9\"","f_email.bounces":1,"f_email.clicks":2147483647,"f_email.consent":"SPAM_COMPLAINT","f_email.delivered":100,"f_email.lastOpenAt":"2024-03-03T00:00:00Z","f_email.opens":-1,"f_email.spamComplaints":1,"f_emails[1]":"zoe+\u0001@example.jp","f_externalIds.shopify":"sh\\op","f_firstName":"Zoë \"Z\" 日本 😀","f_firstSeenAt":"1970-01-01T00:00:01Z","f_lastEventAt":"2024-03-05T00:00:00.999999Z","f_lastName":"O'Brien\tx\n\u2028 bad �� end","f_orders.averageOrderValue":"0.005","f_orders.cancelledCount":2,"f_orders.count":12,"f_orders.currency":"JPY","f_orders.firstOrderAt":"1999-12-31T23:59:59.000001Z","f_orders.grossRevenue":"1500","f_orders.itemsBought":40,"f_orders.lastOrderAt":"2024-02-29T12:00:00.123456Z","f_orders.netRevenue":"1750","f_orders.openCount":1,"f_orders.refunded":"-250","f_returns.count":3,"f_returns.itemsReturned":2,"f_returns.lastReturnAt":"2024-03-01T00:00:00Z","f_returns.returnRate":0.06,"f_support.lastSatisfaction":"bad","f_support.lastTicketAt":"2024-03-02T03:04:05Z","f_support.openTickets":0,"f_support.totalTickets":7,"f_traits.churnRisk":0,"f_traits.crmLifecycleStage":"customer","f_traits.frequency":4,"f_traits.lifecycleStage":"vip","f_traits.monetary":3,"f_traits.predictedLtv":"12345678901.2345","f_traits.recency":5})json"},
                    {"trigger esp.events",
                     R"json({"data":{"type":"event","attributes":{"properties":{"kind":"abandoned_cart","reason":"checkout tok worth 80.00 USD \"open\""},"time":"2024-05-01T12:30:00.250000Z","unique_id":"0123456789abcdef0123456789abcdef","metric":{"data":{"type":"metric","attributes":{"name":"custhub abandoned_cart"}}},"profile":{"data":{"type":"profile","attributes":{"email":"ana@example.com","phone_number":"+14155550100","external_id":"cus_1"}}}}}})json"},
                    {"suppressed trigger esp.events", R"json({"data":{"type":"event","attributes":{"properties":{"kind":"abandoned_cart","reason":"checkout tok worth 80.00 USD \"open\"","suppressed_by":"frequency_cap"},"unique_id":"0123456789abcdef0123456789abcdef","metric":{"data":{"type":"metric","attributes":{"name":"�abandoned_cart"}}},"profile":{"data":{"type":"profile","attributes":{"phone_number":"+447700900123","external_id":"cus_1"}}}}}})json"},
                    {"deletes crm.contacts",
                     R"json({"objectId":"ana@example.com","idProperty":"email"})json"},
                    {"deletes crm.contacts",
                     R"json({"objectId":"ana.work@example.com","idProperty":"email"})json"},
                    {"deletes esp.profiles",
                     R"json({"data":{"type":"data-privacy-deletion-job","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"ana@example.com"}}}}}})json"},
                    {"deletes esp.profiles",
                     R"json({"data":{"type":"data-privacy-deletion-job","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"ana.work@example.com"}}}}}})json"},
                    {"deletes esp.profiles",
                     R"json({"data":{"type":"data-privacy-deletion-job","attributes":{"profile":{"data":{"type":"profile","attributes":{"phone_number":"+14155550100"}}}}}})json"},
                    {"deletes erp.customers",
                     R"json({"customer_id":"cus_1","deleted":true})json"},
                    {"deletes salesforce crm.contacts",
                     R"json({"attributes":{"type":"Contact"},"Custhub_Id__c":"cus_\"9\""})json"},
                    {"deletes salesforce esp.profiles",
                     R"json({"data":{"type":"data-privacy-deletion-job","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"zoe@example.jp"}}}}}})json"},
                    {"deletes salesforce esp.profiles",
                     R"json({"data":{"type":"data-privacy-deletion-job","attributes":{"profile":{"data":{"type":"profile","attributes":{"email":"zoe+\u0001@example.jp"}}}}}})json"},
                    {"deletes salesforce esp.profiles",
                     R"json({"data":{"type":"data-privacy-deletion-job","attributes":{"profile":{"data":{"type":"profile","attributes":{"phone_number":"+81312345678"}}}}}})json"},
                    {"deletes salesforce erp.customers",
                     R"json({"customer_id":"cus_\"9\"","deleted":true})json"},
};

}  // namespace

TEST_CASE("destination bodies render byte for byte as pinned", "[publish]") {
  auto rendered = RenderPinnedCases();
  REQUIRE(rendered.size() == std::size(kPinned));
  for (size_t i = 0; i < rendered.size(); ++i) {
    INFO(rendered[i].first);
    CHECK(rendered[i].first == kPinned[i].first);
    CHECK(rendered[i].second == kPinned[i].second);
  }
}

TEST_CASE("ratios round as printf's %.*f does, trailing zeros trimmed",
          "[publish]") {
  std::vector<double> values = {0.0,     -0.0,  0.0625,  0.125,   2.5,
                                0.5,     1.5,   -0.0001, 1e-10,   0.9995,
                                0.99949, 1e300, -1e300,  123.456, 1.0 / 3};
  // A fixed spread of doubles, reproducible without a seeded generator.
  for (int i = 1; i < 2000; ++i)
    values.push_back(std::fmod(i * 0.6180339887, 1.7) - 0.2);
  for (int decimals = 0; decimals <= 9; ++decimals) {
    auto config = DestinationConfigFromMap(
        {{"destinations.ratio_decimals", std::to_string(decimals)},
         {"destinations.crm.enabled", "false"},
         {"destinations.esp.profiles.enabled", "false"},
         {"destinations.erp.default_properties", "false"},
         {"destinations.erp.properties.r", "traits.churnRisk"}});
    REQUIRE(config.ok());
    for (double v : values) {
      v1::CustomerProfile p;
      p.set_customer_id("c");
      p.mutable_traits()->set_churn_risk(v);
      std::string text = absl::StrFormat("%.*f", decimals, v);
      if (absl::StrContains(text, '.')) {
        while (text.back() == '0') text.pop_back();
        if (text.back() == '.') text.pop_back();
      }
      if (text == "-0") text = "0";
      INFO(decimals << " " << v);
      CHECK(*RenderDestinations(*config, p).erp ==
            absl::StrCat(R"({"customer_id":"c","r":)", text, "}"));
    }
  }
}
