#include "connectors/woocommerce/woocommerce.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "connectors/common/json_fields.h"
#include "connectors/common/validate.h"
#include "src/common/money.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace v1 = custhub::v1;
using Opt = std::optional<std::string>;
using OptTime = std::optional<Micros>;

struct Billing {
  Opt first_name, last_name, email, phone;
};

// One element of the order's `refunds` summary: {id, reason, total}.
struct RefundSummary {
  std::string path;
  Opt id, total;
};

struct Order {
  Opt id, status, currency, total, customer_id;
  OptTime created_at, modified_at;
  int64_t items = 0;
  Billing billing;
  std::vector<RefundSummary> refunds;
};

absl::Status BillingField(absl::string_view at, absl::string_view key,
                          JsonValue& v, Billing* b) {
  if (key == "first_name") return ReadString(v, at, &b->first_name);
  if (key == "last_name") return ReadString(v, at, &b->last_name);
  if (key == "email") return ReadString(v, at, &b->email);
  if (key == "phone") return ReadString(v, at, &b->phone);
  return absl::OkStatus();
}

absl::Status RefundsField(absl::string_view at, JsonValue& v, Order* o) {
  return VisitArray(v, at, [&](absl::string_view path, JsonValue& element) {
    RefundSummary refund;
    refund.path = std::string(path);
    absl::Status s =
        VisitObject(element, path, [&](absl::string_view k, JsonValue& f) {
          if (k == "id") return ReadId(f, ChildPath(path, k), &refund.id);
          if (k == "total") {
            return ReadDecimal(f, ChildPath(path, k), &refund.total);
          }
          return absl::OkStatus();
        });
    if (s.ok()) o->refunds.push_back(std::move(refund));
    return s;
  });
}

absl::Status OrderField(absl::string_view at, absl::string_view key,
                        JsonValue& v, Order* o) {
  if (key == "id") return ReadId(v, at, &o->id);
  if (key == "status") return ReadString(v, at, &o->status);
  if (key == "currency") return ReadString(v, at, &o->currency);
  if (key == "total") return ReadDecimal(v, at, &o->total);
  if (key == "customer_id") return ReadId(v, at, &o->customer_id);
  // The *_gmt fields are UTC without an offset; the others are shop-local.
  if (key == "date_created_gmt") {
    return ReadTime(v, at, TimeFormat::kWebhookUtc, &o->created_at);
  }
  if (key == "date_modified_gmt") {
    return ReadTime(v, at, TimeFormat::kWebhookUtc, &o->modified_at);
  }
  if (key == "billing") {
    return VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
      return BillingField(ChildPath(at, k), k, f, &o->billing);
    });
  }
  if (key == "line_items") return SumQuantities(v, at, "quantity", &o->items);
  if (key == "refunds") return RefundsField(at, v, o);
  return absl::OkStatus();
}

v1::Event WooEvent(const RawRecord& r, const std::string& occurred_at) {
  v1::Event e = NewEvent("woocommerce", r);
  e.set_occurred_at(occurred_at);
  return e;
}

void SetPerson(const Order& o, const DecodeOptions& options, v1::Event* e) {
  // customer_id 0 is a guest order: no account to link.
  std::string customer = FirstNonEmpty({&o.customer_id});
  if (customer == "0") customer.clear();
  AddIdentifiers(FirstNonEmpty({&o.billing.email}),
                 FirstPhone({&o.billing.phone}, options.default_phone_region),
                 "woocommerce", customer, e);
  SetNames(o.billing.first_name, o.billing.last_name, std::nullopt,
           std::nullopt, e);
}

// One Refund per element of the order's refunds[]. WooCommerce writes refund
// totals negative; the summary has no date, so the order's modification
// time (when the refund was added, at the latest) stands in.
absl::Status AppendRefunds(const RawRecord& r, const Order& o,
                           absl::string_view currency,
                           const std::string& occurred_at,
                           std::vector<v1::Event>* out) {
  for (const RefundSummary& s : o.refunds) {
    if (!s.id.has_value() || s.id->empty()) {
      return Missing(ChildPath(s.path, "id"));
    }
    auto amount = ToMoney(s.total, currency, ChildPath(s.path, "total"),
                          /*allow_negative=*/true);
    if (!amount.ok()) return amount.status();
    if (amount->minor < 0) amount->minor = -amount->minor;
    v1::Event e = WooEvent(r, occurred_at);
    v1::Refund* refund = e.mutable_refund();
    refund->set_refund_id(absl::StrCat("wc-refund-", *s.id));
    refund->set_order_id(*o.id);
    SetMoney(*amount, refund->mutable_amount());
    refund->set_created_at(TimeOrEmpty(o.modified_at));
    out->push_back(std::move(e));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<v1::Event>> DecodeWooCommerce(
    const RawRecord& r, const DecodeOptions& options) {
  const bool deleted = r.event_type == "order.deleted";
  if (!deleted && r.event_type != "order.created" &&
      r.event_type != "order.updated") {
    return UnknownEventType("woocommerce", r.event_type);
  }
  Order o;
  absl::Status s = VisitBody(r.body, [&](absl::string_view key, JsonValue& v) {
    return OrderField(key, key, v, &o);
  });
  if (!s.ok()) return s;
  if (!o.id.has_value() || o.id->empty()) {
    return Missing("id");
  }
  std::string occurred_at = OccurredAt({&o.modified_at, &o.created_at}, r);
  v1::Event e = WooEvent(r, occurred_at);
  SetPerson(o, options, &e);
  v1::Order* order = e.mutable_order();
  order->set_order_id(*o.id);
  // order.deleted usually carries only {"id": N}: no total to report.
  std::string currency;
  if (!deleted || o.total.has_value()) {
    if (!o.total.has_value()) {
      return Missing("total");
    }
    auto code = RequireCurrency(o.currency, "currency");
    if (!code.ok()) return code.status();
    currency = *code;
    auto total = ToMoney(o.total, currency, "total");
    if (!total.ok()) return total.status();
    SetMoney(*total, order->mutable_total());
  }
  order->set_item_count(static_cast<int32_t>(o.items));
  order->set_created_at(TimeOrEmpty(o.created_at));
  order->set_updated_at(TimeOrEmpty(o.modified_at));
  const std::string status = o.status.value_or("");
  order->set_cancelled(status == "cancelled" || status == "failed" ||
                       status == "trash");
  order->set_fulfilled(status == "completed");
  // A refunded order was paid first; its refunds[] carry the money back.
  order->set_paid(status == "processing" || status == "completed" ||
                  status == "refunded");
  order->set_deleted(deleted);

  std::vector<v1::Event> out;
  out.push_back(std::move(e));
  if (!deleted) {
    s = AppendRefunds(r, o, currency, occurred_at, &out);
    if (!s.ok()) return s;
  }
  return out;
}

}  // namespace custhub::connectors
