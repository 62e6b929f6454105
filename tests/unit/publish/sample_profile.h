// The sample customer profile the destination tests render, and the
// setters they build profiles with.
#pragma once

#include <cstdint>

#include "custhub/v1/profile.pb.h"
#include "src/common/time.h"

namespace custhub::testing {

inline void SetTime(google::protobuf::Timestamp* t, const char* rfc3339,
                    int32_t nanos = 0) {
  Micros m = *ParseRfc3339(rfc3339);
  t->set_seconds(m / kMicrosPerSecond);
  t->set_nanos(nanos);
}

inline void SetMoney(custhub::v1::Money* m, int64_t minor,
                     const char* currency) {
  m->set_minor(minor);
  m->set_currency(currency);
}

// A customer with two emails, a phone, a Shopify id, three orders, a
// return, tickets, email engagement and traits.
inline custhub::v1::CustomerProfile SampleProfile() {
  namespace v1 = custhub::v1;
  v1::CustomerProfile p;
  p.set_customer_id("cus_1");
  p.add_emails("ana@example.com");
  p.add_emails("ana.work@example.com");
  p.add_phones("+14155550100");
  (*p.mutable_external_ids())["shopify"] = "6405012345";
  p.set_first_name("Ana");
  p.set_last_name("Lopez");
  auto* o = p.mutable_orders();
  o->set_count(3);
  SetTime(o->mutable_first_order_at(), "2024-01-10T09:00:00Z");
  SetTime(o->mutable_last_order_at(), "2024-05-01T10:00:00+02:00");
  SetMoney(o->mutable_gross_revenue(), 15000, "USD");
  SetMoney(o->mutable_refunded(), 2950, "USD");
  SetMoney(o->mutable_net_revenue(), 12050, "USD");
  SetMoney(o->mutable_average_order_value(), 4017, "USD");
  o->set_items_bought(6);
  p.mutable_returns()->set_count(1);
  p.mutable_returns()->set_items_returned(2);
  p.mutable_returns()->set_return_rate(2.0 / 6.0);
  p.mutable_support()->set_open_tickets(1);
  p.mutable_support()->set_total_tickets(2);
  p.mutable_email()->set_consent(v1::EmailStats::SUBSCRIBED);
  p.mutable_email()->set_opens(5);
  p.mutable_traits()->set_lifecycle_stage("active");
  p.mutable_traits()->set_churn_risk(0.4213);
  SetMoney(p.mutable_traits()->mutable_predicted_ltv(), 30000, "USD");
  return p;
}

}  // namespace custhub::testing
