// Each customer's timeline: a short summary of every folded event, kept for
// a window of event time, for the HTTP API and the inspector page.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "src/common/log.h"
#include "src/common/money.h"
#include "src/common/status.h"
#include "src/store/windowed_log.h"
#include "streams/meta_keys.h"
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

// A customer's timeline: one windowed log (src/store/windowed_log.h).
std::string TimelineKey(absl::string_view customer) {
  return absl::StrCat(customer, absl::string_view("\0", 1));
}

// Earlier versions kept a value per customer and batch, under
// customer \0 time(be64) hash(be64): a single entry, or '\0' and a pack.
bool IsLegacyKey(absl::string_view key) {
  size_t end = key.find('\0');
  return end != absl::string_view::npos && end + 1 < key.size();
}

// Appends `t` to a windowed log's items; its time goes in the frame.
void AppendEntry(v1::TimelineEntry& t, std::string* items) {
  Micros at = t.at_micros();
  t.clear_at_micros();
  store::AppendLogItem(items, at, t.SerializeAsString());
}

}  // namespace

std::string TimelineItemOf(const v1::Event& e, Micros at) {
  v1::TimelineEntry t;
  t.set_at_micros(at);
  t.set_source(e.source());
  t.set_event_type(e.event_type());
  t.set_summary(Summary(e));
  std::string item;
  AppendEntry(t, &item);
  return item;
}

void BatchProcessor::AddTimeline(const std::string& customer_id,
                                 const std::string& item) {
  if (options_.timeline_retention <= 0) return;
  timeline_[customer_id] += item;
}

absl::Status BatchProcessor::MoveTimeline(const std::string& from,
                                          const std::string& to,
                                          store::StateBatch* batch) {
  auto pending = timeline_.extract(from);
  if (!pending.empty()) timeline_[to] += pending.mapped();
  std::string prefix = TimelineKey(from);
  for (Cf cf : {Cf::kTimeline, Cf::kTriggers}) {
    CUSTHUB_RETURN_IF_ERROR(store_->ForEach(
        cf, prefix, [&](absl::string_view k, absl::string_view v) {
          std::string key = absl::StrCat(to, k.substr(from.size()));
          // A timeline joins the one `to` may have.
          if (cf == Cf::kTimeline) {
            batch->Merge(cf, key, v);
          } else {
            batch->Put(cf, key, v);
          }
          return true;
        }));
    std::string end = absl::StrCat(from, absl::string_view("\1", 1));
    batch->DeleteRange(cf, prefix, end);
  }
  return absl::OkStatus();
}

void BatchProcessor::WriteTimeline(store::StateBatch* batch) {
  // One append per customer and batch; RocksDB joins them and drops what
  // falls out of the window (SetLogWindow).
  for (const auto& [id, items] : timeline_) {
    if (!customers_.contains(id)) continue;  // erased or merged away
    batch->Merge(Cf::kTimeline, TimelineKey(id), items);
  }
}

absl::Status BatchProcessor::MigrateTimeline() {
  CUSTHUB_ASSIGN_OR_RETURN(auto done, store_->Get(Cf::kMeta, kTimelineLogKey));
  if (done.has_value()) return absl::OkStatus();
  store::StateBatch batch;
  std::string items;
  size_t corrupt = 0;
  CUSTHUB_RETURN_IF_ERROR(store_->ForEach(
      Cf::kTimeline, "", [&](absl::string_view k, absl::string_view v) {
        if (!IsLegacyKey(k)) return true;
        batch.Delete(Cf::kTimeline, k);
        v1::TimelinePack pack;
        bool packed = !v.empty() && v[0] == '\0';
        if (packed) v.remove_prefix(1);
        if (packed ? !pack.ParseFromArray(v.data(), v.size())
                   : !pack.add_entries()->ParseFromArray(v.data(), v.size())) {
          ++corrupt;  // unreadable before too: it goes
          return true;
        }
        items.clear();
        for (v1::TimelineEntry& t : *pack.mutable_entries()) {
          AppendEntry(t, &items);
        }
        batch.Merge(Cf::kTimeline, k.substr(0, k.find('\0') + 1), items);
        return true;
      }));
  if (corrupt > 0) {
    Log(LogLevel::kWarn, "corrupt timeline values dropped",
        {{"values", absl::StrCat(corrupt)}});
  }
  batch.Put(Cf::kMeta, kTimelineLogKey, "1");
  return store_->Write(batch);
}

}  // namespace custhub::streams
