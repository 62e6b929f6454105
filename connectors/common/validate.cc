#include "connectors/common/validate.h"

#include "absl/strings/str_cat.h"
#include "src/common/money.h"
#include "src/common/status.h"
#include "src/common/time.h"
#include "src/identity/identifiers.h"

namespace custhub::connectors {
namespace {

namespace v1 = custhub::v1;

absl::Status CheckId(const std::string& id, absl::string_view field) {
  if (id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": missing"));
  }
  if (id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": longer than ", kMaxIdBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckMoney(const v1::Money& m, absl::string_view field,
                        bool required) {
  if (!required && m.currency().empty() && m.minor() == 0) {
    return absl::OkStatus();
  }
  auto exponent = CurrencyExponent(m.currency());
  if (!exponent.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".currency: '", m.currency(), "' is not an ISO 4217 code"));
  }
  if (m.minor() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".minor: negative"));
  }
  if (m.minor() > kMaxMinorUnits) {
    return absl::OutOfRangeError(absl::StrCat(field, ".minor: ", m.minor(),
                                              " is beyond any real amount"));
  }
  return absl::OkStatus();
}

absl::Status CheckTime(const std::string& t, absl::string_view field) {
  if (t.empty()) return absl::OkStatus();
  return ParseRfc3339(t, field).status();
}

absl::Status CheckItems(int n, absl::string_view field) {
  if (n < 0 || n > kMaxItems) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", n, " is out of range 0..", kMaxItems));
  }
  return absl::OkStatus();
}

absl::Status ValidateOrder(const v1::Order& o) {
  CUSTHUB_RETURN_IF_ERROR(CheckId(o.order_id(), "order.order_id"));
  // A deletion may name only the order; it has no total to report.
  CUSTHUB_RETURN_IF_ERROR(CheckMoney(o.total(), "order.total", !o.deleted()));
  CUSTHUB_RETURN_IF_ERROR(CheckItems(o.item_count(), "order.item_count"));
  int64_t items = 0;
  for (const auto& li : o.line_items()) {
    CUSTHUB_RETURN_IF_ERROR(
        CheckItems(li.quantity(), "order.line_items.quantity"));
    items += li.quantity();
  }
  CUSTHUB_RETURN_IF_ERROR(
      CheckItems(static_cast<int>(std::min<int64_t>(items, kMaxItems + 1)),
                 "order.line_items"));
  CUSTHUB_RETURN_IF_ERROR(CheckTime(o.created_at(), "order.created_at"));
  return CheckTime(o.updated_at(), "order.updated_at");
}

absl::Status ValidateRefund(v1::Refund* r, const std::string& event_id) {
  CUSTHUB_RETURN_IF_ERROR(CheckId(r->order_id(), "refund.order_id"));
  if (r->refund_id().empty()) r->set_refund_id(event_id);
  CUSTHUB_RETURN_IF_ERROR(CheckId(r->refund_id(), "refund.refund_id"));
  CUSTHUB_RETURN_IF_ERROR(CheckMoney(r->amount(), "refund.amount", true));
  CUSTHUB_RETURN_IF_ERROR(
      CheckItems(r->items_returned(), "refund.items_returned"));
  return CheckTime(r->created_at(), "refund.created_at");
}

}  // namespace

bool NeedsIdentifiers(const v1::Event& event) {
  return event.payload_case() != v1::Event::kRefund &&
         event.payload_case() != v1::Event::kErasure && !IsBareDeletion(event);
}

bool IsBareDeletion(const v1::Event& event) {
  const auto& ids = event.identifiers();
  return event.payload_case() == v1::Event::kOrder && event.order().deleted() &&
         ids.emails().empty() && ids.phones().empty() &&
         ids.external_ids().empty() && ids.customer_id().empty();
}

absl::Status ValidateEvent(v1::Event* e) {
  if (e->source().empty()) e->set_source("canonical");
  CUSTHUB_RETURN_IF_ERROR(CheckId(e->source(), "source"));
  CUSTHUB_RETURN_IF_ERROR(CheckId(e->event_id(), "event_id"));
  CUSTHUB_RETURN_IF_ERROR(
      ParseRfc3339(e->occurred_at(), "occurred_at").status());
  CUSTHUB_RETURN_IF_ERROR(
      identity::NormalizeIdentifiers(e->mutable_identifiers()));
  if (NeedsIdentifiers(*e) && e->identifiers().emails().empty() &&
      e->identifiers().phones().empty() &&
      e->identifiers().external_ids().empty() &&
      e->identifiers().customer_id().empty()) {
    return absl::InvalidArgumentError(
        "identifiers: no email, phone or customer id");
  }
  if (e->first_name().size() > 256 || e->last_name().size() > 256) {
    return absl::InvalidArgumentError(
        "first_name/last_name: longer than 256 bytes");
  }
  switch (e->payload_case()) {
    case v1::Event::kOrder:
      return ValidateOrder(e->order());
    case v1::Event::kRefund:
      return ValidateRefund(e->mutable_refund(), e->event_id());
    case v1::Event::kCheckout:
      CUSTHUB_RETURN_IF_ERROR(
          CheckId(e->checkout().checkout_token(), "checkout.checkout_token"));
      CUSTHUB_RETURN_IF_ERROR(
          CheckMoney(e->checkout().value(), "checkout.value", false));
      CUSTHUB_RETURN_IF_ERROR(
          CheckTime(e->checkout().created_at(), "checkout.created_at"));
      return CheckTime(e->checkout().updated_at(), "checkout.updated_at");
    case v1::Event::kTicket:
      CUSTHUB_RETURN_IF_ERROR(
          CheckId(e->ticket().ticket_id(), "ticket.ticket_id"));
      CUSTHUB_RETURN_IF_ERROR(
          CheckTime(e->ticket().created_at(), "ticket.created_at"));
      return CheckTime(e->ticket().updated_at(), "ticket.updated_at");
    case v1::Event::kEmail:
      if (e->email().kind() == v1::EmailEngagement::KIND_UNSPECIFIED) {
        return absl::InvalidArgumentError("email.kind: missing");
      }
      return absl::OkStatus();
    case v1::Event::kConsent:
      if (e->consent().state() == v1::ConsentChange::STATE_UNSPECIFIED) {
        return absl::InvalidArgumentError("consent.state: missing");
      }
      return absl::OkStatus();
    case v1::Event::kCustomer:
      return absl::OkStatus();
    case v1::Event::kErasure:
      return absl::InvalidArgumentError(
          "erasure: send erasure requests with `custhub erase`");
    case v1::Event::PAYLOAD_NOT_SET:
      return absl::InvalidArgumentError("payload: event carries no payload");
  }
  return absl::InvalidArgumentError("payload: unknown kind");
}

}  // namespace custhub::connectors
