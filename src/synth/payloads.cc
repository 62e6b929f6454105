#include "src/synth/payloads.h"

#include "absl/strings/str_cat.h"

namespace custhub::synth::internal {

std::string ShopTime(Micros t) {
  return FormatRfc3339(t - 5 * kMicrosPerHour).substr(0, 19) + "-05:00";
}

std::string Price(int64_t minor) {
  return absl::StrFormat("%d.%02d", minor / 100, minor % 100);
}

std::string ShopifyCustomer(const Shopper& s) {
  return absl::StrCat(R"({"id":)", s.shopify_id, R"(,"email":")",
                      s.display_email, R"(","first_name":")", s.first,
                      R"(","last_name":")", s.last, R"(","phone":")",
                      s.want->phone,
                      R"(","verified_email":true,"state":"enabled"})");
}

std::string ShopifyOrder(const Shopper& s, int64_t order_id, int64_t total,
                         const std::string& currency,
                         const std::vector<std::pair<int, int>>& lines,
                         Micros created, Micros updated, bool fulfilled,
                         bool cancelled) {
  std::string items;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto* p = kProducts[lines[i].first];
    absl::StrAppend(
        &items, i ? "," : "", R"({"id":)", order_id * 10 + i, R"(,"sku":")",
        p[0], R"(","title":")", p[1], R"(","quantity":)", lines[i].second,
        R"(,"price":"19.00",)",
        R"("requires_shipping":true,"taxable":true,"fulfillable_quantity":)",
        fulfilled ? 0 : lines[i].second, "}");
  }
  return absl::StrCat(
      R"({"id":)", order_id, R"(,"name":"#)", order_id % 100000,
      R"(","email":")", s.display_email, R"(","created_at":")",
      ShopTime(created), R"(","updated_at":")", ShopTime(updated),
      R"(","processed_at":")", ShopTime(created), R"(","currency":")", currency,
      R"(","total_price":")", Price(total), R"(","subtotal_price":")",
      Price(total), R"(","total_tax":"0.00","financial_status":")",
      cancelled ? "voided" : "paid", R"(","fulfillment_status":)",
      fulfilled ? R"("fulfilled")" : "null", R"(,"cancelled_at":)",
      cancelled ? "\"" + ShopTime(updated) + "\"" : "null",
      R"(,"cancel_reason":)", cancelled ? R"("customer")" : "null",
      R"(,"checkout_token":"ck)", order_id, R"(","phone":null,"tags":"",)",
      R"("buyer_accepts_marketing":false,"customer":)", ShopifyCustomer(s),
      R"(,"billing_address":{"first_name":")", s.first, R"(","last_name":")",
      s.last,
      R"(","address1":"1 Market St","city":"Springfield","country_code":"US","phone":")",
      s.want->phone, R"("},"line_items":[)", items, "]}");
}

std::string ShopifyRefund(int64_t order_id, Micros at, int64_t amount,
                          bool returned, const std::string& currency) {
  std::string line_items =
      returned ? absl::StrCat(R"([{"id":)", order_id + 7,
                              R"(,"quantity":1,"line_item_id":)", order_id * 10,
                              R"(,"restock_type":"return"}])")
               : "[]";
  return absl::StrCat(
      R"({"id":)", order_id + 3, R"(,"order_id":)", order_id,
      R"(,"created_at":")", ShopTime(at),
      R"(","note":"customer return","restock":true,)",
      R"("refund_line_items":)", line_items, R"(,"transactions":[{"id":)",
      order_id + 5, R"(,"order_id":)", order_id,
      R"(,"kind":"refund","gateway":"shopify_payments","status":"success","amount":")",
      Price(amount), R"(","currency":")", currency,
      R"("}],"order_adjustments":[]})");
}

std::string ZendeskTicket(const std::string& ticket, const char* status,
                          const std::string& display_email,
                          const std::string& phone, Micros created,
                          Micros updated) {
  return absl::StrCat(
      R"({"ticket_id":")", ticket, R"(","status":")", status,
      R"(","requester_email":")", display_email, R"(","requester_phone":")",
      phone, R"(","requester_external_id":"","subject":"Where is my order?",)",
      R"("priority":"normal","satisfaction":"","tags":"shipping order_status",)",
      R"("created_at":")", FormatRfc3339(created), R"(","updated_at":")",
      FormatRfc3339(updated), R"("})");
}

std::string SendGridEvent(const std::string& email, Micros at,
                          const std::string& kind, const std::string& event_id,
                          const std::string& message_id) {
  return absl::StrCat(
      R"({"email":")", email, R"(","timestamp":)", at / kMicrosPerSecond,
      R"(,"event":")", kind, R"(","sg_event_id":")", event_id,
      R"(","sg_message_id":")", message_id, R"(","category":["newsletter"]})");
}

SynthRecord MalformedRecord(int k) {
  // A truncated body, an order nobody can be found for, money that is not
  // money, and a platform custhub does not know.
  static const std::pair<const char*, const char*> kBad[] = {
      {"shopify",
       R"({"id":5599000000001,"email":"trunc@example.com","total_price":"12.)"},
      {"shopify",
       R"({"id":5599000000002,"created_at":"2026-03-01T10:00:00-05:00","updated_at":"2026-03-01T10:00:00-05:00","currency":"USD","total_price":"5.00","line_items":[]})"},
      {"shopify",
       R"({"id":5599000000003,"email":"bad.money@example.com","created_at":"2026-03-01T10:00:00-05:00","updated_at":"2026-03-01T10:00:00-05:00","currency":"USD","total_price":"12.345","line_items":[]})"},
      {"myspace", R"({"id":1})"}};
  const auto& bad = kBad[k % std::size(kBad)];
  SynthRecord r;
  r.topic = "orders";
  r.key = absl::StrCat("bad-", k);
  r.value = bad.second;
  r.headers = {{"source", bad.first},
               {"event-type", "orders/create"},
               {"event-id", absl::StrCat("bad-", k)},
               {"content-type", "application/json"}};
  return r;
}

}  // namespace custhub::synth::internal
