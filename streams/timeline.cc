// Each customer's timeline: a short summary of every folded event, kept for
// a window of event time, for the HTTP API and the inspector page.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/common/hash.h"
#include "src/common/money.h"
#include "src/common/status.h"
#include "streams/processor.h"

namespace custhub::streams {
namespace {

namespace v1 = custhub::v1;
using store::Cf;

std::string MoneyText(const v1::Money& m) {
  return FormatMoney(Money{m.minor(), m.currency()});
}

std::string Summary(const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kOrder: {
      const auto& o = e.order();
      std::string state = o.cancelled() || o.deleted() ? " (cancelled)"
                          : o.fulfilled()              ? " (fulfilled)"
                                                       : "";
      return absl::StrCat("order ", o.order_id(), ": ", MoneyText(o.total()),
                          state);
    }
    case v1::Event::kRefund:
      return absl::StrCat("refund on order ", e.refund().order_id(), ": ",
                          MoneyText(e.refund().amount()),
                          e.refund().items_returned() > 0
                              ? absl::StrCat(", ", e.refund().items_returned(),
                                             " item(s) returned")
                              : "");
    case v1::Event::kCheckout:
      return absl::StrCat("checkout ",
                          e.checkout().completed() ? "completed" : "open", ": ",
                          MoneyText(e.checkout().value()));
    case v1::Event::kTicket:
      return absl::StrCat(
          "ticket ", e.ticket().ticket_id(), ": ", e.ticket().status(),
          e.ticket().satisfaction().empty()
              ? ""
              : absl::StrCat(", rated ", e.ticket().satisfaction()),
          e.ticket().subject().empty()
              ? ""
              : absl::StrCat(" - ", e.ticket().subject()));
    case v1::Event::kEmail:
      return absl::StrCat("email ",
                          absl::AsciiStrToLower(
                              v1::EmailEngagement::Kind_Name(e.email().kind())),
                          e.email().campaign().empty()
                              ? ""
                              : absl::StrCat(" (", e.email().campaign(), ")"));
    case v1::Event::kConsent:
      return absl::StrCat("email consent: ",
                          absl::AsciiStrToLower(v1::ConsentChange::State_Name(
                              e.consent().state())));
    case v1::Event::kCustomer:
      return "customer details updated";
    default:
      return e.event_type();
  }
}

std::string TimelineKey(absl::string_view customer, Micros at,
                        absl::string_view event_id) {
  return absl::StrCat(customer, absl::string_view("\0", 1),
                      store::EncodeBigEndian64(static_cast<uint64_t>(at)),
                      store::EncodeBigEndian64(Hash64(event_id)));
}

}  // namespace

v1::TimelineEntry TimelineEntryOf(const v1::Event& e, Micros at) {
  v1::TimelineEntry t;
  t.set_at_micros(at);
  t.set_source(e.source());
  t.set_event_type(e.event_type());
  t.set_event_id(e.event_id());
  t.set_summary(Summary(e));
  return t;
}

void BatchProcessor::AddTimeline(const std::string& customer_id,
                                 v1::TimelineEntry entry) {
  if (options_.timeline_retention <= 0) return;
  timeline_[customer_id].push_back(std::move(entry));
}

absl::Status BatchProcessor::MoveTimeline(const std::string& from,
                                          const std::string& to,
                                          store::StateBatch* batch) {
  auto pending = timeline_.extract(from);
  if (!pending.empty()) {
    auto& dst = timeline_[to];
    for (auto& t : pending.mapped()) dst.push_back(std::move(t));
  }
  std::string prefix = absl::StrCat(from, absl::string_view("\0", 1));
  for (Cf cf : {Cf::kTimeline, Cf::kTriggers}) {
    CUSTHUB_RETURN_IF_ERROR(store_->ForEach(
        cf, prefix, [&](absl::string_view k, absl::string_view v) {
          batch->Put(cf, absl::StrCat(to, k.substr(from.size())), v);
          return true;
        }));
    std::string end = absl::StrCat(from, absl::string_view("\1", 1));
    batch->DeleteRange(cf, prefix, end);
  }
  return absl::OkStatus();
}

void BatchProcessor::WriteTimeline(store::StateBatch* batch) {
  std::string value;
  for (auto& [id, entries] : timeline_) {
    if (!customers_.contains(id)) continue;  // erased or merged away
    // One value per customer and batch, under its newest entry (a lone
    // entry is stored as it is).
    auto newest = std::max_element(entries.begin(), entries.end(),
                                   [](const auto& a, const auto& b) {
                                     return a.at_micros() < b.at_micros();
                                   });
    Micros newest_at = newest->at_micros();
    std::string key = TimelineKey(id, newest_at, newest->event_id());
    value.clear();
    if (entries.size() == 1) {
      entries.front().AppendToString(&value);
    } else {
      v1::TimelinePack pack;
      for (auto& t : entries) *pack.add_entries() = std::move(t);
      value.push_back('\0');
      pack.AppendToString(&value);
    }
    batch->Put(Cf::kTimeline, key, value);
    // Values wholly older than the window go, as one range delete, when
    // the window's start has entered a new day since the customer's last
    // batch: a range delete per customer and batch was ~5k range
    // tombstones per 20k records, which every flush and read of the family
    // then sorted through. Entries stay at most a day past the window.
    Micros cutoff = newest_at - options_.timeline_retention;
    const CustomerSlot& slot = customers_.at(id);
    Micros last_cutoff = slot.loaded_last_event - options_.timeline_retention;
    bool new_day = slot.loaded_last_event == 0 ||
                   cutoff / kMicrosPerDay != last_cutoff / kMicrosPerDay;
    if (new_day && slot.state->first_seen_micros() < cutoff) {
      batch->DeleteRange(Cf::kTimeline, TimelineKey(id, 0, ""),
                         TimelineKey(id, cutoff, ""));
    }
  }
}

}  // namespace custhub::streams
