#include "connectors/magento/magento.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "connectors/common/json_fields.h"
#include "connectors/common/validate.h"
#include "src/common/money.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace v1 = custhub::v1;
using Opt = std::optional<std::string>;
using OptTime = std::optional<Micros>;

enum class Kind { kOrder, kCreditmemo };

struct Address {
  Opt type, first_name, last_name, email, telephone;
};

// An order or a credit memo: Magento's sales documents share their money,
// time and item fields.
struct Document {
  Opt entity_id, increment_id, order_id, grand_total, currency, state, status,
      customer_email, customer_id, first_name, last_name;
  std::optional<bool> customer_is_guest;
  OptTime created_at, updated_at;
  int64_t ordered = 0;   // order: qty_ordered of top-level items
  int64_t returned = 0;  // credit memo: qty sent back to stock
  Address billing;
};

absl::Status AddressField(absl::string_view at, absl::string_view key,
                          JsonValue& v, Address* a) {
  if (key == "address_type") return ReadString(v, at, &a->type);
  if (key == "firstname") return ReadString(v, at, &a->first_name);
  if (key == "lastname") return ReadString(v, at, &a->last_name);
  if (key == "email") return ReadString(v, at, &a->email);
  if (key == "telephone") return ReadString(v, at, &a->telephone);
  return absl::OkStatus();
}

absl::Status ReadAddress(JsonValue& v, absl::string_view at, Address* a) {
  return VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
    return AddressField(ChildPath(at, k), k, f, a);
  });
}

// Orders count top-level items only: a configurable or bundle product
// repeats its quantity on child items that carry parent_item_id.
absl::Status ItemsField(absl::string_view at, JsonValue& v, Document* d) {
  return VisitArray(v, at, [&](absl::string_view item, JsonValue& element) {
    std::optional<int64_t> qty_ordered, qty;
    Opt parent;
    std::optional<bool> back_to_stock;
    absl::Status s =
        VisitObject(element, item, [&](absl::string_view k, JsonValue& f) {
          JsonPath path = ChildPath(item, k);
          if (k == "qty_ordered") return ReadCount(f, path, &qty_ordered);
          if (k == "qty") return ReadCount(f, path, &qty);
          if (k == "parent_item_id") return ReadId(f, path, &parent);
          if (k == "back_to_stock") {
            return ReadBool(f, path, &back_to_stock);
          }
          return absl::OkStatus();
        });
    if (!s.ok()) return s;
    if (qty_ordered.has_value() && (!parent.has_value() || parent->empty())) {
      s = AddItems(*qty_ordered, at, &d->ordered);
      if (!s.ok()) return s;
    }
    if (qty.has_value() && back_to_stock.value_or(false)) {
      s = AddItems(*qty, at, &d->returned);
    }
    return s;
  });
}

absl::Status DocumentField(absl::string_view at, absl::string_view key,
                           JsonValue& v, Document* d) {
  if (key == "entity_id") return ReadId(v, at, &d->entity_id);
  if (key == "increment_id") return ReadId(v, at, &d->increment_id);
  if (key == "order_id") return ReadId(v, at, &d->order_id);
  if (key == "grand_total") return ReadDecimal(v, at, &d->grand_total);
  if (key == "order_currency_code") {
    return ReadString(v, at, &d->currency);
  }
  // An order's state is a word ("processing"); a credit memo's a number.
  if (key == "state") return ReadId(v, at, &d->state);
  if (key == "status") return ReadId(v, at, &d->status);
  if (key == "customer_email") {
    return ReadString(v, at, &d->customer_email);
  }
  if (key == "customer_id") return ReadId(v, at, &d->customer_id);
  if (key == "customer_firstname") {
    return ReadString(v, at, &d->first_name);
  }
  if (key == "customer_lastname") {
    return ReadString(v, at, &d->last_name);
  }
  if (key == "customer_is_guest") {
    return ReadBool(v, at, &d->customer_is_guest);
  }
  // Magento stores times as "YYYY-MM-DD HH:MM:SS" in UTC.
  if (key == "created_at") {
    return ReadTime(v, at, TimeFormat::kWebhookUtc, &d->created_at);
  }
  if (key == "updated_at") {
    return ReadTime(v, at, TimeFormat::kWebhookUtc, &d->updated_at);
  }
  if (key == "items") return ItemsField(at, v, d);
  if (key == "billing_address") return ReadAddress(v, at, &d->billing);
  // The observer payload lists addresses instead of billing_address.
  if (key == "addresses") {
    return VisitArray(v, at, [&](absl::string_view path, JsonValue& element) {
      Address a;
      absl::Status s = ReadAddress(element, path, &a);
      if (s.ok() && a.type == "billing") d->billing = std::move(a);
      return s;
    });
  }
  return absl::OkStatus();
}

// Finds the document in the body: top level, {"order": ...} /
// {"creditmemo": ...}, or under "data" as the webhook module and Adobe I/O
// Events send it.
absl::Status ReadBody(absl::string_view body, Kind kind, Document* d) {
  const absl::string_view wrapper =
      kind == Kind::kOrder ? "order" : "creditmemo";
  auto is_object = [](JsonValue& v, absl::string_view path) {
    auto t = TypeOf(v, path);
    return t.ok() && *t == JsonType::object;
  };
  auto visit_document = [&](JsonValue& v, absl::string_view path) {
    return VisitObject(v, path, [&](absl::string_view k, JsonValue& f) {
      return DocumentField(ChildPath(path, k), k, f, d);
    });
  };
  return VisitBody(body, [&](absl::string_view key, JsonValue& v) {
    std::string path(key);
    if (key == wrapper && is_object(v, path)) return visit_document(v, path);
    if (key == "data" && is_object(v, path)) {
      return VisitObject(v, path, [&](absl::string_view k, JsonValue& f) {
        JsonPath inner = ChildPath(path, k);
        if ((k == wrapper || k == "value") && is_object(f, inner)) {
          return visit_document(f, inner);
        }
        return DocumentField(inner, k, f, d);
      });
    }
    return DocumentField(path, key, v, d);
  });
}

absl::StatusOr<Money> GrandTotal(const Document& d) {
  if (!d.grand_total.has_value()) {
    return Missing("grand_total");
  }
  auto currency = RequireCurrency(d.currency, "order_currency_code");
  if (!currency.ok()) return currency.status();
  return ToMoney(d.grand_total, *currency, "grand_total");
}

absl::StatusOr<v1::Event> DecodeOrder(const RawRecord& r, const Document& d,
                                      const DecodeOptions& options) {
  std::string id = FirstNonEmpty({&d.entity_id, &d.increment_id});
  if (id.empty()) return Missing("entity_id");
  auto total = GrandTotal(d);
  if (!total.ok()) return total.status();

  v1::Event e = NewEvent("magento", r);
  e.set_occurred_at(OccurredAt({&d.updated_at, &d.created_at}, r));
  std::string customer = FirstNonEmpty({&d.customer_id});
  if (customer == "0" || d.customer_is_guest.value_or(false)) customer.clear();
  AddIdentifiers(
      FirstNonEmpty({&d.customer_email, &d.billing.email}),
      FirstPhone({&d.billing.telephone}, options.default_phone_region),
      "magento", customer, &e);
  SetNames(d.first_name, d.last_name, d.billing.first_name, d.billing.last_name,
           &e);

  v1::Order* o = e.mutable_order();
  o->set_order_id(id);
  SetMoney(*total, o->mutable_total());
  o->set_item_count(static_cast<int32_t>(d.ordered));
  o->set_created_at(TimeOrEmpty(d.created_at));
  o->set_updated_at(TimeOrEmpty(d.updated_at));
  auto either = [&](absl::string_view s) {
    return d.state == s || d.status == s;
  };
  o->set_cancelled(either("canceled"));
  o->set_fulfilled(either("complete"));
  // Magento moves an order to processing once it is invoiced (paid); closed
  // means paid and then fully refunded.
  o->set_paid(either("processing") || either("complete") || either("closed"));
  return e;
}

absl::StatusOr<v1::Event> DecodeCreditmemo(const RawRecord& r,
                                           const Document& d) {
  std::string id = FirstNonEmpty({&d.entity_id, &d.increment_id});
  if (id.empty()) return Missing("entity_id");
  std::string order_id = FirstNonEmpty({&d.order_id});
  if (order_id.empty()) return Missing("order_id");
  auto amount = GrandTotal(d);
  if (!amount.ok()) return amount.status();

  v1::Event e = NewEvent("magento", r);
  e.set_occurred_at(OccurredAt({&d.created_at, &d.updated_at}, r));
  v1::Refund* refund = e.mutable_refund();
  refund->set_refund_id(id);
  refund->set_order_id(order_id);
  SetMoney(*amount, refund->mutable_amount());
  refund->set_items_returned(static_cast<int32_t>(d.returned));
  refund->set_created_at(
      TimeOrEmpty(d.created_at.has_value() ? d.created_at : d.updated_at));
  return e;
}

}  // namespace

absl::StatusOr<std::vector<v1::Event>> DecodeMagento(
    const RawRecord& r, const DecodeOptions& options) {
  absl::string_view type = r.event_type;
  absl::ConsumePrefix(&type, "observer.");
  Kind kind;
  if (type == "sales_order_save_after") {
    kind = Kind::kOrder;
  } else if (type == "sales_order_creditmemo_save_after") {
    kind = Kind::kCreditmemo;
  } else {
    return UnknownEventType("magento", r.event_type);
  }
  Document d;
  absl::Status s = ReadBody(r.body, kind, &d);
  if (!s.ok()) return s;
  absl::StatusOr<v1::Event> event = kind == Kind::kOrder
                                        ? DecodeOrder(r, d, options)
                                        : DecodeCreditmemo(r, d);
  if (!event.ok()) return event.status();
  std::vector<v1::Event> out;
  out.push_back(*std::move(event));
  return out;
}

}  // namespace custhub::connectors
