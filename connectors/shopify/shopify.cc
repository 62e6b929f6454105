#include "connectors/shopify/shopify.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "connectors/common/json_fields.h"
#include "connectors/common/normalize.h"
#include "connectors/common/validate.h"
#include "src/common/money.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace v1 = custhub::v1;
using Opt = std::optional<std::string>;
using OptTime = std::optional<Micros>;

enum class Topic { kOrder, kRefund, kCheckout, kCustomer, kUnknown };

Topic TopicOf(absl::string_view t) {
  if (t == "orders/create" || t == "orders/updated" || t == "orders/paid" ||
      t == "orders/fulfilled" || t == "orders/cancelled") {
    return Topic::kOrder;
  }
  if (t == "refunds/create") return Topic::kRefund;
  if (t == "checkouts/create" || t == "checkouts/update") {
    return Topic::kCheckout;
  }
  if (t == "customers/create" || t == "customers/update") {
    return Topic::kCustomer;
  }
  return Topic::kUnknown;
}

// A mailing address: only what identifies or names a person.
struct Address {
  Opt first_name, last_name, phone;
};

// A customer resource, nested in an order or checkout or the body of a
// customers/* webhook.
struct Customer {
  Opt id, email, phone, first_name, last_name, consent_state;
  std::optional<bool> accepts_marketing;
  OptTime created_at, updated_at;
  Address default_address;
};

// An order or a checkout: the two share most of their fields.
struct Purchase {
  Opt id, token, checkout_token, email, contact_email, phone, total_price,
      currency, financial_status, fulfillment_status;
  OptTime created_at, updated_at, cancelled_at, completed_at;
  int64_t items = 0;
  Customer customer;
  Address billing;
};

struct RefundLine {
  std::string path;
  Opt amount, currency;
};

struct Refund {
  Opt id, order_id;
  OptTime created_at, processed_at;
  Money refunded;        // successful refund transactions
  int transactions = 0;  // transactions of any kind or status
  std::string currency;  // any currency seen, for a zero amount
  std::vector<RefundLine> lines;
  int64_t returned = 0;
};

absl::Status AddressField(absl::string_view at, absl::string_view key,
                          JsonValue& v, Address* a) {
  if (key == "first_name") return ReadString(v, at, &a->first_name);
  if (key == "last_name") return ReadString(v, at, &a->last_name);
  if (key == "phone") return ReadString(v, at, &a->phone);
  return absl::OkStatus();
}

absl::Status ReadAddress(JsonValue& v, absl::string_view path, Address* a) {
  return VisitObject(v, path, [&](absl::string_view key, JsonValue& f) {
    return AddressField(ChildPath(path, key), key, f, a);
  });
}

absl::Status CustomerField(absl::string_view at, absl::string_view key,
                           JsonValue& v, Customer* c) {
  if (key == "id") return ReadId(v, at, &c->id);
  if (key == "email") return ReadString(v, at, &c->email);
  if (key == "phone") return ReadString(v, at, &c->phone);
  if (key == "first_name") return ReadString(v, at, &c->first_name);
  if (key == "last_name") return ReadString(v, at, &c->last_name);
  if (key == "accepts_marketing") {
    return ReadBool(v, at, &c->accepts_marketing);
  }
  if (key == "email_marketing_consent") {
    return VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
      if (k != "state") return absl::OkStatus();
      return ReadString(f, ChildPath(at, k), &c->consent_state);
    });
  }
  if (key == "created_at") {
    return ReadTime(v, at, TimeFormat::kWebhook, &c->created_at);
  }
  if (key == "updated_at") {
    return ReadTime(v, at, TimeFormat::kWebhook, &c->updated_at);
  }
  if (key == "default_address") {
    return ReadAddress(v, at, &c->default_address);
  }
  return absl::OkStatus();
}

absl::Status PurchaseField(absl::string_view at, absl::string_view key,
                           JsonValue& v, Purchase* p) {
  if (key == "id") return ReadId(v, at, &p->id);
  if (key == "token") return ReadString(v, at, &p->token);
  if (key == "checkout_token") {
    return ReadString(v, at, &p->checkout_token);
  }
  if (key == "email") return ReadString(v, at, &p->email);
  if (key == "contact_email") {
    return ReadString(v, at, &p->contact_email);
  }
  if (key == "phone") return ReadString(v, at, &p->phone);
  if (key == "total_price") {
    return ReadDecimal(v, at, &p->total_price);
  }
  if (key == "currency") return ReadString(v, at, &p->currency);
  if (key == "financial_status") {
    return ReadString(v, at, &p->financial_status);
  }
  if (key == "fulfillment_status") {
    return ReadString(v, at, &p->fulfillment_status);
  }
  if (key == "created_at")
    return ReadTime(v, at, TimeFormat::kWebhook, &p->created_at);
  if (key == "updated_at")
    return ReadTime(v, at, TimeFormat::kWebhook, &p->updated_at);
  if (key == "cancelled_at") {
    return ReadTime(v, at, TimeFormat::kWebhook, &p->cancelled_at);
  }
  if (key == "completed_at") {
    return ReadTime(v, at, TimeFormat::kWebhook, &p->completed_at);
  }
  if (key == "billing_address") return ReadAddress(v, at, &p->billing);
  if (key == "customer") {
    return VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
      return CustomerField(ChildPath(at, k), k, f, &p->customer);
    });
  }
  if (key == "line_items") return SumQuantities(v, at, "quantity", &p->items);
  return absl::OkStatus();
}

absl::Status TransactionElement(absl::string_view at, JsonValue& v, Refund* r) {
  Opt kind, status, amount, currency;
  absl::Status s = VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
    JsonPath path = ChildPath(at, k);
    if (k == "kind") return ReadString(f, path, &kind);
    if (k == "status") return ReadString(f, path, &status);
    if (k == "amount") return ReadDecimal(f, path, &amount);
    if (k == "currency") return ReadString(f, path, &currency);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  ++r->transactions;
  if (currency.has_value() && r->currency.empty()) r->currency = *currency;
  if (kind != "refund" || status != "success") return absl::OkStatus();
  auto code = RequireCurrency(currency, ChildPath(at, "currency"));
  if (!code.ok()) return code.status();
  auto money = ToMoney(amount, *code, ChildPath(at, "amount"));
  if (!money.ok()) return money.status();
  return AddTo(*money, at, &r->refunded);
}

absl::Status RefundLineElement(absl::string_view at, JsonValue& v, Refund* r) {
  std::optional<int64_t> quantity;
  Opt restock_type;
  RefundLine line;
  line.path = std::string(at);
  absl::Status s = VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
    JsonPath path = ChildPath(at, k);
    if (k == "quantity") return ReadCount(f, path, &quantity);
    if (k == "restock_type") return ReadString(f, path, &restock_type);
    if (k == "subtotal" && !line.currency.has_value()) {
      return ReadDecimal(f, path, &line.amount);
    }
    if (k != "subtotal_set") return absl::OkStatus();
    // subtotal_set.shop_money carries the amount with its currency.
    return VisitObject(f, path, [&](absl::string_view k2, JsonValue& f2) {
      if (k2 != "shop_money") return absl::OkStatus();
      JsonPath money_path = ChildPath(path, k2);
      return VisitObject(
          f2, money_path, [&](absl::string_view k3, JsonValue& f3) {
            if (k3 == "amount") {
              return ReadDecimal(f3, ChildPath(money_path, k3), &line.amount);
            }
            if (k3 == "currency_code") {
              return ReadString(f3, ChildPath(money_path, k3), &line.currency);
            }
            return absl::OkStatus();
          });
    });
  });
  if (!s.ok()) return s;
  if (line.currency.has_value() && r->currency.empty()) {
    r->currency = *line.currency;
  }
  if (restock_type == "return" && quantity.has_value()) {
    absl::Status added = AddItems(*quantity, "refund_line_items", &r->returned);
    if (!added.ok()) return added;
  }
  r->lines.push_back(std::move(line));
  return absl::OkStatus();
}

absl::Status RefundField(absl::string_view at, absl::string_view key,
                         JsonValue& v, Refund* r) {
  if (key == "id") return ReadId(v, at, &r->id);
  if (key == "order_id") return ReadId(v, at, &r->order_id);
  if (key == "created_at")
    return ReadTime(v, at, TimeFormat::kWebhook, &r->created_at);
  if (key == "processed_at") {
    return ReadTime(v, at, TimeFormat::kWebhook, &r->processed_at);
  }
  if (key == "transactions") {
    return VisitArray(v, at, [&](absl::string_view t, JsonValue& e) {
      return TransactionElement(t, e, r);
    });
  }
  if (key == "refund_line_items") {
    return VisitArray(v, at, [&](absl::string_view l, JsonValue& e) {
      return RefundLineElement(l, e, r);
    });
  }
  return absl::OkStatus();
}

// Visits the body's fields; a body wrapped as {"<wrapper>": {...}} (the
// shape the REST API returns) is unwrapped.
template <typename Fn>
absl::Status VisitResource(absl::string_view body, absl::string_view wrapper,
                           Fn field) {
  return VisitBody(body, [&](absl::string_view key, JsonValue& v) {
    if (key == wrapper) {
      auto type = TypeOf(v, key);
      if (!type.ok()) return type.status();
      if (*type == JsonType::object) {
        return VisitObject(v, key, [&](absl::string_view k, JsonValue& f) {
          return field(ChildPath(key, k), k, f);
        });
      }
    }
    return field(key, key, v);
  });
}

// Identifiers and names of whoever placed an order or checkout.
void SetPerson(const Purchase& p, const DecodeOptions& options, v1::Event* e) {
  AddIdentifiers(FirstNonEmpty({&p.email, &p.contact_email, &p.customer.email}),
                 FirstPhone({&p.phone, &p.customer.phone, &p.billing.phone},
                            options.default_phone_region),
                 "shopify", FirstNonEmpty({&p.customer.id}), e);
  SetNames(p.customer.first_name, p.customer.last_name, p.billing.first_name,
           p.billing.last_name, e);
}

absl::StatusOr<v1::Event> DecodeOrder(const RawRecord& r,
                                      const DecodeOptions& options) {
  Purchase p;
  absl::Status s =
      VisitResource(r.body, "order",
                    [&](absl::string_view at, absl::string_view k,
                        JsonValue& v) { return PurchaseField(at, k, v, &p); });
  if (!s.ok()) return s;
  if (!p.id.has_value() || p.id->empty()) {
    return Missing("id");
  }
  if (!p.total_price.has_value()) {
    return Missing("total_price");
  }
  auto currency = RequireCurrency(p.currency, "currency");
  if (!currency.ok()) return currency.status();
  auto total = ToMoney(p.total_price, *currency, "total_price");
  if (!total.ok()) return total.status();

  v1::Event e = NewEvent("shopify", r);
  e.set_occurred_at(OccurredAt({&p.updated_at, &p.created_at}, r));
  SetPerson(p, options, &e);
  v1::Order* o = e.mutable_order();
  o->set_order_id(*p.id);
  SetMoney(*total, o->mutable_total());
  o->set_item_count(static_cast<int32_t>(p.items));
  o->set_created_at(TimeOrEmpty(p.created_at));
  o->set_updated_at(TimeOrEmpty(p.updated_at));
  o->set_cancelled(p.cancelled_at.has_value() ||
                   r.event_type == "orders/cancelled");
  o->set_fulfilled(p.fulfillment_status == "fulfilled" ||
                   r.event_type == "orders/fulfilled");
  o->set_paid(p.financial_status == "paid" ||
              p.financial_status == "partially_refunded" ||
              p.financial_status == "refunded" ||
              r.event_type == "orders/paid");
  o->set_checkout_token(FirstNonEmpty({&p.checkout_token}));
  return e;
}

absl::StatusOr<v1::Event> DecodeRefund(const RawRecord& r) {
  Refund f;
  absl::Status s =
      VisitResource(r.body, "refund",
                    [&](absl::string_view at, absl::string_view k,
                        JsonValue& v) { return RefundField(at, k, v, &f); });
  if (!s.ok()) return s;
  if (!f.id.has_value() || f.id->empty()) {
    return Missing("id");
  }
  if (!f.order_id.has_value() || f.order_id->empty()) {
    return Missing("order_id");
  }
  Money amount = f.refunded;
  if (f.transactions == 0) {
    // No payment moved (or the body omits it): what the lines were worth.
    for (const RefundLine& line : f.lines) {
      if (!line.amount.has_value()) continue;
      auto code = RequireCurrency(
          line.currency,
          ChildPath(line.path, "subtotal_set.shop_money.currency_code"));
      if (!code.ok()) return code.status();
      auto m = ToMoney(line.amount, *code, ChildPath(line.path, "subtotal"));
      if (!m.ok()) return m.status();
      absl::Status added = AddTo(*m, "refund_line_items", &amount);
      if (!added.ok()) return added;
    }
  }
  if (amount.currency.empty()) amount.currency = f.currency;
  if (amount.currency.empty()) {
    return absl::InvalidArgumentError(
        "transactions: no currency for the refunded amount");
  }

  v1::Event e = NewEvent("shopify", r);
  e.set_occurred_at(OccurredAt({&f.created_at, &f.processed_at}, r));
  v1::Refund* refund = e.mutable_refund();
  refund->set_refund_id(*f.id);
  refund->set_order_id(*f.order_id);
  SetMoney(amount, refund->mutable_amount());
  refund->set_items_returned(static_cast<int32_t>(f.returned));
  refund->set_created_at(
      TimeOrEmpty(f.created_at.has_value() ? f.created_at : f.processed_at));
  return e;
}

absl::StatusOr<v1::Event> DecodeCheckout(const RawRecord& r,
                                         const DecodeOptions& options) {
  Purchase p;
  absl::Status s =
      VisitResource(r.body, "checkout",
                    [&](absl::string_view at, absl::string_view k,
                        JsonValue& v) { return PurchaseField(at, k, v, &p); });
  if (!s.ok()) return s;
  if (!p.token.has_value() || p.token->empty()) {
    return Missing("token");
  }
  v1::Event e = NewEvent("shopify", r);
  e.set_occurred_at(OccurredAt({&p.updated_at, &p.created_at}, r));
  SetPerson(p, options, &e);
  v1::Checkout* c = e.mutable_checkout();
  c->set_checkout_token(*p.token);
  if (p.total_price.has_value()) {
    auto currency = RequireCurrency(p.currency, "currency");
    if (!currency.ok()) return currency.status();
    auto value = ToMoney(p.total_price, *currency, "total_price");
    if (!value.ok()) return value.status();
    SetMoney(*value, c->mutable_value());
  }
  c->set_created_at(TimeOrEmpty(p.created_at));
  c->set_updated_at(TimeOrEmpty(p.updated_at));
  c->set_completed(p.completed_at.has_value());
  return e;
}

absl::StatusOr<v1::Event> DecodeCustomer(const RawRecord& r,
                                         const DecodeOptions& options) {
  Customer c;
  absl::Status s =
      VisitResource(r.body, "customer",
                    [&](absl::string_view at, absl::string_view k,
                        JsonValue& v) { return CustomerField(at, k, v, &c); });
  if (!s.ok()) return s;
  v1::Event e = NewEvent("shopify", r);
  e.set_occurred_at(OccurredAt({&c.updated_at, &c.created_at}, r));
  AddIdentifiers(FirstNonEmpty({&c.email}),
                 FirstPhone({&c.phone, &c.default_address.phone},
                            options.default_phone_region),
                 "shopify", FirstNonEmpty({&c.id}), &e);
  SetNames(c.first_name, c.last_name, c.default_address.first_name,
           c.default_address.last_name, &e);
  v1::CustomerUpdate* u = e.mutable_customer();
  // email_marketing_consent replaced the deprecated accepts_marketing; the
  // newer field wins when a payload carries both.
  if (c.consent_state.has_value() && !c.consent_state->empty()) {
    u->set_has_accepts_marketing(true);
    u->set_accepts_marketing(*c.consent_state == "subscribed");
  } else if (c.accepts_marketing.has_value()) {
    u->set_has_accepts_marketing(true);
    u->set_accepts_marketing(*c.accepts_marketing);
  }
  return e;
}

}  // namespace

absl::StatusOr<std::vector<v1::Event>> DecodeShopify(
    const RawRecord& r, const DecodeOptions& options) {
  absl::StatusOr<v1::Event> event;
  switch (TopicOf(r.event_type)) {
    case Topic::kOrder:
      event = DecodeOrder(r, options);
      break;
    case Topic::kRefund:
      event = DecodeRefund(r);
      break;
    case Topic::kCheckout:
      event = DecodeCheckout(r, options);
      break;
    case Topic::kCustomer:
      event = DecodeCustomer(r, options);
      break;
    case Topic::kUnknown:
      return UnknownEventType("shopify", r.event_type);
  }
  if (!event.ok()) return event.status();
  std::vector<v1::Event> out;
  out.push_back(*std::move(event));
  return out;
}

}  // namespace custhub::connectors
