#include "src/synth/synthetic_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/common/time.h"
#include "src/synth/payloads.h"

namespace custhub::synth {

using internal::Builder;
using internal::kFirst;
using internal::kLast;
using internal::kProducts;
using internal::kStart;
using internal::ShopifyOrder;
using internal::Shopper;

SyntheticStore::SyntheticStore(const SynthOptions& o) {
  if (o.interleave) {
    SyntheticStream stream(o, /*track_expected=*/true);
    while (stream.Next(1 << 16, &records_) > 0) {
    }
    expected_ = stream.Expected();
    duplicates_ = stream.duplicates();
    duplicate_events_ = stream.duplicate_events();
    malformed_ = stream.malformed();
    events_ = stream.events();
    return;
  }
  Builder b(o, &records_, &duplicates_, &duplicate_events_);
  for (int i = 0; i < o.customers; ++i) {
    Shopper s;
    s.first = kFirst[b.Uniform(0, std::size(kFirst) - 1)];
    s.last = kLast[b.Uniform(0, std::size(kLast) - 1)];
    s.shopify_id = 6405000000LL + i;
    ExpectedCustomer c;
    s.display_email =
        absl::StrCat(s.first, ".", s.last, ".", i, "@Example.com");
    c.email = absl::AsciiStrToLower(s.display_email);
    c.phone = absl::StrFormat("+1415%07d", i);
    s.want = &c;
    Micros t0 = kStart + b.Uniform(0, 200) * kMicrosPerDay +
                b.Uniform(0, 86399) * kMicrosPerSecond;

    int orders = b.Uniform(0, 4);
    for (int j = 0; j < orders; ++j) {
      int64_t order_id = 5512000000000LL + i * 10LL + j;
      Micros created = t0 + j * 20 * kMicrosPerDay;
      std::vector<std::pair<int, int>> lines;
      int items = 0;
      for (int l = b.Uniform(1, 3); l > 0; --l) {
        lines.emplace_back(b.Uniform(0, std::size(kProducts) - 1),
                           b.Uniform(1, 2));
        items += lines.back().second;
      }
      int64_t total = b.Uniform(1000, 30000);
      b.Emit("orders", c.email, "shopify", "orders/create",
             ShopifyOrder(s, order_id, total, o.currency, lines, created,
                          created, false, false));
      ++events_;
      if (b.Chance(0.05)) {
        b.Emit("orders", c.email, "shopify", "orders/cancelled",
               ShopifyOrder(s, order_id, total, o.currency, lines, created,
                            created + kMicrosPerHour, false, true));
        ++events_;
        ++c.cancelled;
        continue;
      }
      ++c.orders;
      c.gross_minor += total;
      c.items_bought += items;
      if (b.Chance(0.6)) {
        b.Emit("orders", c.email, "shopify", "orders/fulfilled",
               ShopifyOrder(s, order_id, total, o.currency, lines, created,
                            created + 2 * kMicrosPerDay, true, false));
        ++events_;
      }
      if (b.Chance(0.2)) {
        int64_t amount = b.Uniform(100, static_cast<int>(total / 2));
        bool returned = b.Chance(0.5);
        Micros at = created + 5 * kMicrosPerDay;
        b.Emit("returns", std::to_string(order_id), "shopify", "refunds/create",
               internal::ShopifyRefund(order_id, at, amount, returned,
                                       o.currency));
        ++events_;
        c.refunded_minor += amount;
        c.items_returned += returned ? 1 : 0;
      }
    }
    if (b.Chance(0.3)) {
      std::string ticket = std::to_string(35000 + i);
      Micros at = t0 + b.Uniform(1, 30) * kMicrosPerDay;
      auto ticket_json = [&](const char* status, Micros updated) {
        return internal::ZendeskTicket(ticket, status, s.display_email, c.phone,
                                       at, updated);
      };
      b.Emit("support", c.email, "zendesk", "ticket.created",
             ticket_json("open", at));
      ++events_;
      ++c.tickets;
      if (b.Chance(0.7)) {
        b.Emit("support", c.email, "zendesk", "ticket.solved",
               ticket_json("solved", at + kMicrosPerDay));
        ++events_;
      } else {
        ++c.open_tickets;
      }
    }
    int mails = b.Uniform(0, 4);
    for (int m = 0; m < mails; ++m) {
      Micros at = t0 + m * 7 * kMicrosPerDay + kMicrosPerHour;
      std::string batch = "[";
      int in_batch = 0;
      std::string msg = absl::StrFormat("%x.filter%04d.%d", s.shopify_id, m, i);
      for (const char* kind : {"delivered", "open", "click"}) {
        std::string k = kind;
        if (k == "open" && !b.Chance(0.5)) break;
        if (k == "click" && !b.Chance(0.4)) break;
        std::string event_id = b.DeliveryId();
        absl::StrAppend(
            &batch, batch.size() > 1 ? "," : "",
            internal::SendGridEvent(c.email, at, kind, event_id, msg));
        ++events_;
        ++in_batch;
        if (k == "delivered") ++c.delivered;
        if (k == "open") ++c.opens;
        if (k == "click") ++c.clicks;
      }
      b.Emit("email", c.email, "sendgrid", "", batch + "]", in_batch);
    }
    expected_.emplace(c.email, std::move(c));
  }
  for (int k = 0; k < o.malformed; ++k) {
    records_.push_back(internal::MalformedRecord(k));
    ++malformed_;
  }
}

}  // namespace custhub::synth
