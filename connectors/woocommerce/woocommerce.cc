#include "connectors/woocommerce/woocommerce.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "connectors/common/validate.h"
#include "connectors/shopify/commerce_json.h"
#include "src/common/money.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace v1 = custhub::v1;
using commerce::ChildPath;
using commerce::JsonValue;
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

absl::Status BillingField(const std::string& at, absl::string_view key,
                          JsonValue& v, Billing* b) {
  if (key == "first_name") return commerce::ReadString(v, at, &b->first_name);
  if (key == "last_name") return commerce::ReadString(v, at, &b->last_name);
  if (key == "email") return commerce::ReadString(v, at, &b->email);
  if (key == "phone") return commerce::ReadString(v, at, &b->phone);
  return absl::OkStatus();
}

absl::Status LineItemsField(const std::string& at, JsonValue& v, Order* o) {
  return commerce::VisitArray(
      v, at, [&](const std::string& item, JsonValue& li) {
        return commerce::VisitObject(
            li, item, [&](absl::string_view k, JsonValue& f) -> absl::Status {
              if (k != "quantity") return absl::OkStatus();
              std::optional<int64_t> q;
              absl::Status s = commerce::ReadCount(f, ChildPath(item, k), &q);
              if (!s.ok() || !q.has_value()) return s;
              o->items += *q;
              if (o->items > kMaxItems) {
                return absl::InvalidArgumentError(
                    absl::StrCat(at, ": more than ", kMaxItems, " items"));
              }
              return absl::OkStatus();
            });
      });
}

absl::Status RefundsField(const std::string& at, JsonValue& v, Order* o) {
  return commerce::VisitArray(
      v, at, [&](const std::string& path, JsonValue& element) {
        RefundSummary refund;
        refund.path = path;
        absl::Status s = commerce::VisitObject(
            element, path, [&](absl::string_view k, JsonValue& f) {
              if (k == "id")
                return commerce::ReadId(f, ChildPath(path, k), &refund.id);
              if (k == "total") {
                return commerce::ReadDecimal(f, ChildPath(path, k),
                                             &refund.total);
              }
              return absl::OkStatus();
            });
        if (s.ok()) o->refunds.push_back(std::move(refund));
        return s;
      });
}

absl::Status OrderField(const std::string& at, absl::string_view key,
                        JsonValue& v, Order* o) {
  if (key == "id") return commerce::ReadId(v, at, &o->id);
  if (key == "status") return commerce::ReadString(v, at, &o->status);
  if (key == "currency") return commerce::ReadString(v, at, &o->currency);
  if (key == "total") return commerce::ReadDecimal(v, at, &o->total);
  if (key == "customer_id") return commerce::ReadId(v, at, &o->customer_id);
  // The *_gmt fields are UTC without an offset; the others are shop-local.
  if (key == "date_created_gmt") {
    return commerce::ReadTime(v, at, /*assume_utc=*/true, &o->created_at);
  }
  if (key == "date_modified_gmt") {
    return commerce::ReadTime(v, at, /*assume_utc=*/true, &o->modified_at);
  }
  if (key == "billing") {
    return commerce::VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
      return BillingField(ChildPath(at, k), k, f, &o->billing);
    });
  }
  if (key == "line_items") return LineItemsField(at, v, o);
  if (key == "refunds") return RefundsField(at, v, o);
  return absl::OkStatus();
}

v1::Event NewEvent(const RawRecord& r, std::string occurred_at) {
  v1::Event e;
  e.set_source("woocommerce");
  e.set_event_type(std::string(r.event_type));
  e.set_occurred_at(std::move(occurred_at));
  return e;
}

void SetPerson(const Order& o, const DecodeOptions& options, v1::Event* e) {
  auto* ids = e->mutable_identifiers();
  std::string email = commerce::FirstNonEmpty({&o.billing.email});
  if (!email.empty()) ids->add_emails(email);
  std::string phone =
      commerce::FirstPhone({&o.billing.phone}, options.default_phone_region);
  if (!phone.empty()) ids->add_phones(phone);
  // customer_id 0 is a guest order: no account to link.
  std::string customer = commerce::FirstNonEmpty({&o.customer_id});
  if (!customer.empty() && customer != "0") {
    (*ids->mutable_external_ids())["woocommerce"] = customer;
  }
  e->set_first_name(commerce::FirstNonEmpty({&o.billing.first_name}));
  e->set_last_name(commerce::FirstNonEmpty({&o.billing.last_name}));
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
      return absl::InvalidArgumentError(
          absl::StrCat(ChildPath(s.path, "id"), ": missing"));
    }
    auto amount =
        commerce::ToMoney(s.total, currency, ChildPath(s.path, "total"),
                          /*allow_negative=*/true);
    if (!amount.ok()) return amount.status();
    if (amount->minor < 0) amount->minor = -amount->minor;
    v1::Event e = NewEvent(r, occurred_at);
    v1::Refund* refund = e.mutable_refund();
    refund->set_refund_id(absl::StrCat("wc-refund-", *s.id));
    refund->set_order_id(*o.id);
    commerce::SetMoney(*amount, refund->mutable_amount());
    refund->set_created_at(commerce::TimeOrEmpty(o.modified_at));
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
    return absl::InvalidArgumentError(
        absl::StrCat("event-type: '", r.event_type.substr(0, 64),
                     "' is not a woocommerce event type"));
  }
  Order o;
  absl::Status s =
      commerce::VisitBody(r.body, [&](absl::string_view key, JsonValue& v) {
        return OrderField(std::string(key), key, v, &o);
      });
  if (!s.ok()) return s;
  if (!o.id.has_value() || o.id->empty()) {
    return absl::InvalidArgumentError("id: missing");
  }
  std::string occurred_at =
      commerce::OccurredAt({&o.modified_at, &o.created_at}, r);
  v1::Event e = NewEvent(r, occurred_at);
  SetPerson(o, options, &e);
  v1::Order* order = e.mutable_order();
  order->set_order_id(*o.id);
  // order.deleted usually carries only {"id": N}: no total to report.
  std::string currency;
  if (!deleted || o.total.has_value()) {
    if (!o.total.has_value()) {
      return absl::InvalidArgumentError("total: missing");
    }
    auto code = commerce::RequireCurrency(o.currency, "currency");
    if (!code.ok()) return code.status();
    currency = *code;
    auto total = commerce::ToMoney(o.total, currency, "total");
    if (!total.ok()) return total.status();
    commerce::SetMoney(*total, order->mutable_total());
  }
  order->set_item_count(static_cast<int32_t>(o.items));
  order->set_created_at(commerce::TimeOrEmpty(o.created_at));
  order->set_updated_at(commerce::TimeOrEmpty(o.modified_at));
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
