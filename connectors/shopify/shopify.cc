#include "connectors/shopify/shopify.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "connectors/common/normalize.h"
#include "connectors/common/validate.h"
#include "connectors/shopify/commerce_json.h"
#include "src/common/money.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace v1 = custhub::v1;
using commerce::ChildPath;
using commerce::JsonValue;
using commerce::OccurredAt;
using commerce::SetMoney;
using commerce::TimeOrEmpty;
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

absl::Status AddressField(const std::string& at, absl::string_view key,
                          JsonValue& v, Address* a) {
  if (key == "first_name") return commerce::ReadString(v, at, &a->first_name);
  if (key == "last_name") return commerce::ReadString(v, at, &a->last_name);
  if (key == "phone") return commerce::ReadString(v, at, &a->phone);
  return absl::OkStatus();
}

absl::Status ReadAddress(JsonValue& v, const std::string& path, Address* a) {
  return commerce::VisitObject(
      v, path, [&](absl::string_view key, JsonValue& f) {
        return AddressField(ChildPath(path, key), key, f, a);
      });
}

absl::Status CustomerField(const std::string& at, absl::string_view key,
                           JsonValue& v, Customer* c) {
  if (key == "id") return commerce::ReadId(v, at, &c->id);
  if (key == "email") return commerce::ReadString(v, at, &c->email);
  if (key == "phone") return commerce::ReadString(v, at, &c->phone);
  if (key == "first_name") return commerce::ReadString(v, at, &c->first_name);
  if (key == "last_name") return commerce::ReadString(v, at, &c->last_name);
  if (key == "accepts_marketing") {
    return commerce::ReadBool(v, at, &c->accepts_marketing);
  }
  if (key == "email_marketing_consent") {
    return commerce::VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
      if (k != "state") return absl::OkStatus();
      return commerce::ReadString(f, ChildPath(at, k), &c->consent_state);
    });
  }
  if (key == "created_at") {
    return commerce::ReadTime(v, at, false, &c->created_at);
  }
  if (key == "updated_at") {
    return commerce::ReadTime(v, at, false, &c->updated_at);
  }
  if (key == "default_address") {
    return ReadAddress(v, at, &c->default_address);
  }
  return absl::OkStatus();
}

absl::Status PurchaseField(const std::string& at, absl::string_view key,
                           JsonValue& v, Purchase* p) {
  if (key == "id") return commerce::ReadId(v, at, &p->id);
  if (key == "token") return commerce::ReadString(v, at, &p->token);
  if (key == "checkout_token") {
    return commerce::ReadString(v, at, &p->checkout_token);
  }
  if (key == "email") return commerce::ReadString(v, at, &p->email);
  if (key == "contact_email") {
    return commerce::ReadString(v, at, &p->contact_email);
  }
  if (key == "phone") return commerce::ReadString(v, at, &p->phone);
  if (key == "total_price") {
    return commerce::ReadDecimal(v, at, &p->total_price);
  }
  if (key == "currency") return commerce::ReadString(v, at, &p->currency);
  if (key == "financial_status") {
    return commerce::ReadString(v, at, &p->financial_status);
  }
  if (key == "fulfillment_status") {
    return commerce::ReadString(v, at, &p->fulfillment_status);
  }
  if (key == "created_at")
    return commerce::ReadTime(v, at, false, &p->created_at);
  if (key == "updated_at")
    return commerce::ReadTime(v, at, false, &p->updated_at);
  if (key == "cancelled_at") {
    return commerce::ReadTime(v, at, false, &p->cancelled_at);
  }
  if (key == "completed_at") {
    return commerce::ReadTime(v, at, false, &p->completed_at);
  }
  if (key == "billing_address") return ReadAddress(v, at, &p->billing);
  if (key == "customer") {
    return commerce::VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
      return CustomerField(ChildPath(at, k), k, f, &p->customer);
    });
  }
  if (key == "line_items") {
    return commerce::VisitArray(
        v, at, [&](const std::string& item, JsonValue& li) {
          return commerce::VisitObject(
              li, item, [&](absl::string_view k, JsonValue& f) -> absl::Status {
                if (k != "quantity") return absl::OkStatus();
                std::optional<int64_t> q;
                absl::Status s = commerce::ReadCount(f, ChildPath(item, k), &q);
                if (s.ok() && q.has_value()) p->items += *q;
                if (s.ok() && p->items > kMaxItems) {
                  return absl::InvalidArgumentError(
                      absl::StrCat(at, ": more than ", kMaxItems, " items"));
                }
                return s;
              });
        });
  }
  return absl::OkStatus();
}

absl::Status TransactionElement(const std::string& at, JsonValue& v,
                                Refund* r) {
  Opt kind, status, amount, currency;
  absl::Status s =
      commerce::VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
        std::string path = ChildPath(at, k);
        if (k == "kind") return commerce::ReadString(f, path, &kind);
        if (k == "status") return commerce::ReadString(f, path, &status);
        if (k == "amount") return commerce::ReadDecimal(f, path, &amount);
        if (k == "currency") return commerce::ReadString(f, path, &currency);
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  ++r->transactions;
  if (currency.has_value() && r->currency.empty()) r->currency = *currency;
  if (kind != "refund" || status != "success") return absl::OkStatus();
  auto code = commerce::RequireCurrency(currency, ChildPath(at, "currency"));
  if (!code.ok()) return code.status();
  auto money = commerce::ToMoney(amount, *code, ChildPath(at, "amount"));
  if (!money.ok()) return money.status();
  return commerce::AddTo(*money, at, &r->refunded);
}

absl::Status RefundLineElement(const std::string& at, JsonValue& v, Refund* r) {
  std::optional<int64_t> quantity;
  Opt restock_type;
  RefundLine line;
  line.path = at;
  absl::Status s =
      commerce::VisitObject(v, at, [&](absl::string_view k, JsonValue& f) {
        std::string path = ChildPath(at, k);
        if (k == "quantity") return commerce::ReadCount(f, path, &quantity);
        if (k == "restock_type")
          return commerce::ReadString(f, path, &restock_type);
        if (k == "subtotal" && !line.currency.has_value()) {
          return commerce::ReadDecimal(f, path, &line.amount);
        }
        if (k != "subtotal_set") return absl::OkStatus();
        // subtotal_set.shop_money carries the amount with its currency.
        return commerce::VisitObject(
            f, path, [&](absl::string_view k2, JsonValue& f2) {
              if (k2 != "shop_money") return absl::OkStatus();
              std::string money_path = ChildPath(path, k2);
              return commerce::VisitObject(
                  f2, money_path, [&](absl::string_view k3, JsonValue& f3) {
                    if (k3 == "amount") {
                      return commerce::ReadDecimal(
                          f3, ChildPath(money_path, k3), &line.amount);
                    }
                    if (k3 == "currency_code") {
                      return commerce::ReadString(f3, ChildPath(money_path, k3),
                                                  &line.currency);
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
    r->returned += *quantity;
    if (r->returned > kMaxItems) {
      return absl::InvalidArgumentError(
          absl::StrCat("refund_line_items: more than ", kMaxItems, " items"));
    }
  }
  r->lines.push_back(std::move(line));
  return absl::OkStatus();
}

absl::Status RefundField(const std::string& at, absl::string_view key,
                         JsonValue& v, Refund* r) {
  if (key == "id") return commerce::ReadId(v, at, &r->id);
  if (key == "order_id") return commerce::ReadId(v, at, &r->order_id);
  if (key == "created_at")
    return commerce::ReadTime(v, at, false, &r->created_at);
  if (key == "processed_at") {
    return commerce::ReadTime(v, at, false, &r->processed_at);
  }
  if (key == "transactions") {
    return commerce::VisitArray(v, at, [&](const std::string& t, JsonValue& e) {
      return TransactionElement(t, e, r);
    });
  }
  if (key == "refund_line_items") {
    return commerce::VisitArray(v, at, [&](const std::string& l, JsonValue& e) {
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
  return commerce::VisitBody(body, [&](absl::string_view key, JsonValue& v) {
    if (key == wrapper) {
      auto type = commerce::TypeOf(v, key);
      if (!type.ok()) return type.status();
      if (*type == simdjson::ondemand::json_type::object) {
        return commerce::VisitObject(v, key,
                                     [&](absl::string_view k, JsonValue& f) {
                                       return field(ChildPath(key, k), k, f);
                                     });
      }
    }
    return field(std::string(key), key, v);
  });
}

v1::Event NewEvent(const RawRecord& r) {
  v1::Event e;
  e.set_source("shopify");
  e.set_event_type(std::string(r.event_type));
  return e;
}

// Identifiers and names of whoever placed an order or checkout.
void SetPerson(const Purchase& p, const DecodeOptions& options, v1::Event* e) {
  auto* ids = e->mutable_identifiers();
  std::string email =
      commerce::FirstNonEmpty({&p.email, &p.contact_email, &p.customer.email});
  if (!email.empty()) ids->add_emails(email);
  std::string phone =
      commerce::FirstPhone({&p.phone, &p.customer.phone, &p.billing.phone},
                           options.default_phone_region);
  if (!phone.empty()) ids->add_phones(phone);
  std::string customer_id = commerce::FirstNonEmpty({&p.customer.id});
  if (!customer_id.empty())
    (*ids->mutable_external_ids())["shopify"] = customer_id;
  // Names come as a pair from one place, never mixed across people.
  bool from_customer =
      !commerce::FirstNonEmpty({&p.customer.first_name, &p.customer.last_name})
           .empty();
  const Opt& first =
      from_customer ? p.customer.first_name : p.billing.first_name;
  const Opt& last = from_customer ? p.customer.last_name : p.billing.last_name;
  e->set_first_name(commerce::FirstNonEmpty({&first}));
  e->set_last_name(commerce::FirstNonEmpty({&last}));
}

absl::StatusOr<v1::Event> DecodeOrder(const RawRecord& r,
                                      const DecodeOptions& options) {
  Purchase p;
  absl::Status s =
      VisitResource(r.body, "order",
                    [&](const std::string& at, absl::string_view k,
                        JsonValue& v) { return PurchaseField(at, k, v, &p); });
  if (!s.ok()) return s;
  if (!p.id.has_value() || p.id->empty()) {
    return absl::InvalidArgumentError("id: missing");
  }
  if (!p.total_price.has_value()) {
    return absl::InvalidArgumentError("total_price: missing");
  }
  auto currency = commerce::RequireCurrency(p.currency, "currency");
  if (!currency.ok()) return currency.status();
  auto total = commerce::ToMoney(p.total_price, *currency, "total_price");
  if (!total.ok()) return total.status();

  v1::Event e = NewEvent(r);
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
  o->set_checkout_token(commerce::FirstNonEmpty({&p.checkout_token}));
  return e;
}

absl::StatusOr<v1::Event> DecodeRefund(const RawRecord& r) {
  Refund f;
  absl::Status s =
      VisitResource(r.body, "refund",
                    [&](const std::string& at, absl::string_view k,
                        JsonValue& v) { return RefundField(at, k, v, &f); });
  if (!s.ok()) return s;
  if (!f.id.has_value() || f.id->empty()) {
    return absl::InvalidArgumentError("id: missing");
  }
  if (!f.order_id.has_value() || f.order_id->empty()) {
    return absl::InvalidArgumentError("order_id: missing");
  }
  Money amount = f.refunded;
  if (f.transactions == 0) {
    // No payment moved (or the body omits it): what the lines were worth.
    for (const RefundLine& line : f.lines) {
      if (!line.amount.has_value()) continue;
      auto code = commerce::RequireCurrency(
          line.currency,
          ChildPath(line.path, "subtotal_set.shop_money.currency_code"));
      if (!code.ok()) return code.status();
      auto m = commerce::ToMoney(line.amount, *code,
                                 ChildPath(line.path, "subtotal"));
      if (!m.ok()) return m.status();
      absl::Status added = commerce::AddTo(*m, "refund_line_items", &amount);
      if (!added.ok()) return added;
    }
  }
  if (amount.currency.empty()) amount.currency = f.currency;
  if (amount.currency.empty()) {
    return absl::InvalidArgumentError(
        "transactions: no currency for the refunded amount");
  }

  v1::Event e = NewEvent(r);
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
                    [&](const std::string& at, absl::string_view k,
                        JsonValue& v) { return PurchaseField(at, k, v, &p); });
  if (!s.ok()) return s;
  if (!p.token.has_value() || p.token->empty()) {
    return absl::InvalidArgumentError("token: missing");
  }
  v1::Event e = NewEvent(r);
  e.set_occurred_at(OccurredAt({&p.updated_at, &p.created_at}, r));
  SetPerson(p, options, &e);
  v1::Checkout* c = e.mutable_checkout();
  c->set_checkout_token(*p.token);
  if (p.total_price.has_value()) {
    auto currency = commerce::RequireCurrency(p.currency, "currency");
    if (!currency.ok()) return currency.status();
    auto value = commerce::ToMoney(p.total_price, *currency, "total_price");
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
                    [&](const std::string& at, absl::string_view k,
                        JsonValue& v) { return CustomerField(at, k, v, &c); });
  if (!s.ok()) return s;
  v1::Event e = NewEvent(r);
  e.set_occurred_at(OccurredAt({&c.updated_at, &c.created_at}, r));
  auto* ids = e.mutable_identifiers();
  std::string email = commerce::FirstNonEmpty({&c.email});
  if (!email.empty()) ids->add_emails(email);
  std::string phone = commerce::FirstPhone({&c.phone, &c.default_address.phone},
                                           options.default_phone_region);
  if (!phone.empty()) ids->add_phones(phone);
  std::string id = commerce::FirstNonEmpty({&c.id});
  if (!id.empty()) (*ids->mutable_external_ids())["shopify"] = id;
  bool own_name =
      !commerce::FirstNonEmpty({&c.first_name, &c.last_name}).empty();
  const Address& a = c.default_address;
  e.set_first_name(
      commerce::FirstNonEmpty({own_name ? &c.first_name : &a.first_name}));
  e.set_last_name(
      commerce::FirstNonEmpty({own_name ? &c.last_name : &a.last_name}));
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
      return absl::InvalidArgumentError(
          absl::StrCat("event-type: '", r.event_type.substr(0, 64),
                       "' is not a shopify event type"));
  }
  if (!event.ok()) return event.status();
  std::vector<v1::Event> out;
  out.push_back(*std::move(event));
  return out;
}

}  // namespace custhub::connectors
