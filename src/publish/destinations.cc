// Field catalog and the destination formatters. The mapping and YAML side
// lives in destinations_config.cc.
#include "src/publish/destinations.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "src/common/hash.h"
#include "src/common/money.h"
#include "src/common/time.h"
#include "src/publish/json_writer.h"
#include "src/publish/outputs.h"

namespace custhub::publish {
namespace {

// ------------------------------------------------------- field catalog ----

// A field's value, borrowed from the profile it was read from. Absent
// fields are skipped, so custhub never clears a destination property it did
// not set.
struct Value {
  FieldType type;
  absl::string_view text;  // kString; the currency code of kMoney
  int64_t number = 0;  // kInteger, kBool (0, 1), kMoney (minor), kTime (micros)
  double ratio = 0;    // kRatio
};
using Getter = std::optional<Value> (*)(const v1::CustomerProfile&);

std::optional<Value> Str(absl::string_view s) {
  if (s.empty()) return std::nullopt;
  return Value{FieldType::kString, s};
}
std::optional<Value> Int(int64_t v) {
  return Value{FieldType::kInteger, {}, v};
}
std::optional<Value> Rat(double v) {
  return Value{FieldType::kRatio, {}, 0, v};
}
std::optional<Value> Bool(bool v) { return Value{FieldType::kBool, {}, v}; }
std::optional<Value> Cash(const v1::Money& m) {
  if (m.currency().empty()) return std::nullopt;  // nothing ordered yet
  return Value{FieldType::kMoney, m.currency(), m.minor()};
}
std::optional<Value> Time(bool has, const google::protobuf::Timestamp& t) {
  if (!has || (t.seconds() == 0 && t.nanos() == 0)) return std::nullopt;
  return Value{
      FieldType::kTime, {}, t.seconds() * kMicrosPerSecond + t.nanos() / 1000};
}

struct CatalogEntry {
  absl::string_view path;
  FieldType type;
  Getter get;
};

#define CUSTHUB_FIELD(path, type, expr)                            \
  CatalogEntry {                                                   \
    path, FieldType::type,                                         \
        [](const v1::CustomerProfile& p) -> std::optional<Value> { \
          return expr;                                             \
        }                                                          \
  }

// clang-format off
const CatalogEntry kCatalog[] = {
    CUSTHUB_FIELD("customerId", kString, Str(p.customer_id())),
    CUSTHUB_FIELD("firstName", kString, Str(p.first_name())),
    CUSTHUB_FIELD("lastName", kString, Str(p.last_name())),
    CUSTHUB_FIELD("firstSeenAt", kTime, Time(p.has_first_seen_at(), p.first_seen_at())),
    CUSTHUB_FIELD("lastEventAt", kTime, Time(p.has_last_event_at(), p.last_event_at())),
    CUSTHUB_FIELD("orders.count", kInteger, Int(p.orders().count())),
    CUSTHUB_FIELD("orders.firstOrderAt", kTime, Time(p.orders().has_first_order_at(), p.orders().first_order_at())),
    CUSTHUB_FIELD("orders.lastOrderAt", kTime, Time(p.orders().has_last_order_at(), p.orders().last_order_at())),
    CUSTHUB_FIELD("orders.grossRevenue", kMoney, Cash(p.orders().gross_revenue())),
    CUSTHUB_FIELD("orders.refunded", kMoney, Cash(p.orders().refunded())),
    CUSTHUB_FIELD("orders.netRevenue", kMoney, Cash(p.orders().net_revenue())),
    CUSTHUB_FIELD("orders.averageOrderValue", kMoney, Cash(p.orders().average_order_value())),
    CUSTHUB_FIELD("orders.cancelledCount", kInteger, Int(p.orders().cancelled_count())),
    CUSTHUB_FIELD("orders.openCount", kInteger, Int(p.orders().open_count())),
    CUSTHUB_FIELD("orders.itemsBought", kInteger, Int(p.orders().items_bought())),
    CUSTHUB_FIELD("orders.currency", kString, Str(!p.orders().net_revenue().currency().empty() ? p.orders().net_revenue().currency() : p.orders().gross_revenue().currency())),
    CUSTHUB_FIELD("returns.count", kInteger, Int(p.returns().count())),
    CUSTHUB_FIELD("returns.itemsReturned", kInteger, Int(p.returns().items_returned())),
    CUSTHUB_FIELD("returns.returnRate", kRatio, Rat(p.returns().return_rate())),
    CUSTHUB_FIELD("returns.lastReturnAt", kTime, Time(p.returns().has_last_return_at(), p.returns().last_return_at())),
    CUSTHUB_FIELD("support.openTickets", kInteger, Int(p.support().open_tickets())),
    CUSTHUB_FIELD("support.totalTickets", kInteger, Int(p.support().total_tickets())),
    CUSTHUB_FIELD("support.lastTicketAt", kTime, Time(p.support().has_last_ticket_at(), p.support().last_ticket_at())),
    CUSTHUB_FIELD("support.lastSatisfaction", kString, Str(p.support().last_satisfaction())),
    CUSTHUB_FIELD("email.consent", kString, Str(v1::EmailStats::Consent_Name(p.email().consent()))),
    CUSTHUB_FIELD("email.delivered", kInteger, Int(p.email().delivered())),
    CUSTHUB_FIELD("email.opens", kInteger, Int(p.email().opens())),
    CUSTHUB_FIELD("email.clicks", kInteger, Int(p.email().clicks())),
    CUSTHUB_FIELD("email.bounces", kInteger, Int(p.email().bounces())),
    CUSTHUB_FIELD("email.spamComplaints", kInteger, Int(p.email().spam_complaints())),
    CUSTHUB_FIELD("email.lastOpenAt", kTime, Time(p.email().has_last_open_at(), p.email().last_open_at())),
    CUSTHUB_FIELD("email.lastClickAt", kTime, Time(p.email().has_last_click_at(), p.email().last_click_at())),
    CUSTHUB_FIELD("checkout.open", kBool, Bool(p.checkout().open())),
    CUSTHUB_FIELD("checkout.value", kMoney, Cash(p.checkout().value())),
    CUSTHUB_FIELD("checkout.since", kTime, Time(p.checkout().has_since(), p.checkout().since())),
    CUSTHUB_FIELD("traits.recency", kInteger, Int(p.traits().recency())),
    CUSTHUB_FIELD("traits.frequency", kInteger, Int(p.traits().frequency())),
    CUSTHUB_FIELD("traits.monetary", kInteger, Int(p.traits().monetary())),
    CUSTHUB_FIELD("traits.lifecycleStage", kString, Str(p.traits().lifecycle_stage())),
    CUSTHUB_FIELD("traits.churnRisk", kRatio, Rat(p.traits().churn_risk())),
    CUSTHUB_FIELD("traits.predictedLtv", kMoney, Cash(p.traits().predicted_ltv())),
    // HubSpot's lifecyclestage only moves forward and takes its own values,
    // so custhub sets "customer" once there is an order and nothing before.
    CUSTHUB_FIELD("traits.crmLifecycleStage", kString, p.orders().count() > 0 ? Str("customer") : std::nullopt),
};
// clang-format on
#undef CUSTHUB_FIELD

// "emails[2]" -> 2 for prefix "emails".
std::optional<int> IndexedPath(absl::string_view path,
                               absl::string_view prefix) {
  if (!absl::ConsumePrefix(&path, prefix) || !absl::ConsumePrefix(&path, "[") ||
      !absl::ConsumeSuffix(&path, "]") || path.empty() || path.size() > 4) {
    return std::nullopt;
  }
  int n = 0;
  for (char c : path) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

constexpr absl::string_view kExternalIdsPrefix = "externalIds.";

}  // namespace

// Resolves paths when a FieldPath is set, and reads them from profiles.
class FieldReader {
 public:
  static void Resolve(FieldPath* f) {
    absl::string_view path = f->path_;
    for (size_t i = 0; i < std::size(kCatalog); ++i) {
      if (kCatalog[i].path == path) {
        f->source_ = FieldPath::Source::kCatalog;
        f->index_ = static_cast<int>(i);
        return;
      }
    }
    if (auto i = IndexedPath(path, "emails")) {
      f->source_ = FieldPath::Source::kEmail;
      f->index_ = *i;
    } else if (auto i = IndexedPath(path, "phones")) {
      f->source_ = FieldPath::Source::kPhone;
      f->index_ = *i;
    } else if (absl::StartsWith(path, kExternalIdsPrefix)) {
      f->source_ = FieldPath::Source::kExternal;
    }
  }

  static std::optional<FieldType> Type(const FieldPath& f) {
    switch (f.source_) {
      case FieldPath::Source::kCatalog:
        return kCatalog[f.index_].type;
      case FieldPath::Source::kEmail:
      case FieldPath::Source::kPhone:
        return FieldType::kString;
      case FieldPath::Source::kExternal:
        // "externalIds." names no source.
        if (f.path_.size() > kExternalIdsPrefix.size()) {
          return FieldType::kString;
        }
        return std::nullopt;
      case FieldPath::Source::kUnknown:
        break;
    }
    return std::nullopt;
  }

  static std::optional<Value> Read(const FieldPath& f,
                                   const v1::CustomerProfile& p) {
    switch (f.source_) {
      case FieldPath::Source::kCatalog:
        return kCatalog[f.index_].get(p);
      case FieldPath::Source::kEmail:
        return f.index_ < p.emails_size() ? Str(p.emails(f.index_))
                                          : std::nullopt;
      case FieldPath::Source::kPhone:
        return f.index_ < p.phones_size() ? Str(p.phones(f.index_))
                                          : std::nullopt;
      case FieldPath::Source::kExternal: {
        auto it =
            p.external_ids().find(f.path_.substr(kExternalIdsPrefix.size()));
        return it == p.external_ids().end() ? std::nullopt : Str(it->second);
      }
      case FieldPath::Source::kUnknown:
        break;
    }
    return std::nullopt;
  }
};

FieldPath::FieldPath(std::string path) : path_(std::move(path)) {
  FieldReader::Resolve(this);
}

namespace {

// The text of a text field, or empty.
absl::string_view FieldText(const FieldPath& path,
                            const v1::CustomerProfile& p) {
  std::optional<Value> v = FieldReader::Read(path, p);
  return v && v->type == FieldType::kString ? v->text : absl::string_view();
}

// ---------------------------------------------------------- rendering ----

// Longest scalar text the formatters below write: a money amount (an int64
// magnitude, sign and point, 21 bytes) or a ratio in fixed notation (at most
// 309 integer digits, sign, point and 9 decimals).
constexpr size_t kScalarBuffer = 330;

absl::string_view IntText(int64_t v, char* buf) {
  return absl::string_view(
      buf, std::to_chars(buf, buf + kScalarBuffer, v).ptr - buf);
}

// Exact major units: 12050 USD -> "120.50", 1500 JPY -> "1500".
absl::string_view MoneyAmount(int64_t minor, absl::string_view currency,
                              char* buf) {
  // A profile's amounts are nearly always in one currency, so the last
  // exponent looked up (CurrencyExponent scans the ISO 4217 exceptions) is
  // kept per thread.
  thread_local std::string last_currency;
  thread_local int last_exponent = 2;
  if (currency != last_currency) {
    auto exponent = CurrencyExponent(currency);
    last_exponent = exponent.ok() ? *exponent : 2;
    last_currency.assign(currency.data(), currency.size());
  }
  const int e = last_exponent;
  uint64_t scale = 1;
  for (int i = 0; i < e; ++i) scale *= 10;
  // Unsigned, so the most negative int64 has a magnitude too.
  uint64_t abs = minor < 0 ? 0 - static_cast<uint64_t>(minor)
                           : static_cast<uint64_t>(minor);
  char* end = buf + kScalarBuffer;
  char* p = buf;
  if (minor < 0) *p++ = '-';
  p = std::to_chars(p, end, abs / scale).ptr;
  if (e > 0) {
    *p++ = '.';
    // The fraction, zero-padded to e digits.
    uint64_t frac = abs % scale;
    for (int i = e - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    p += e;
  }
  return absl::string_view(buf, p - buf);
}

// Rounded as printf's "%.*f" (std::to_chars promises the same digits),
// trailing zeros trimmed; nullopt for NaN and infinities.
std::optional<absl::string_view> RatioText(double v, int decimals, char* buf) {
  if (!std::isfinite(v)) return std::nullopt;
  auto [end, ec] = std::to_chars(buf, buf + kScalarBuffer, v,
                                 std::chars_format::fixed, decimals);
  if (ec != std::errc()) return std::nullopt;  // cannot happen: buffer fits
  absl::string_view s(buf, end - buf);
  if (absl::StrContains(s, '.')) {
    while (s.back() == '0') s.remove_suffix(1);
    if (s.back() == '.') s.remove_suffix(1);
  }
  if (s == "-0") s = "0";
  return s;
}

struct RenderOptions {
  absl::string_view currency_suffix;
  int ratio_decimals = 3;
  // HubSpot takes every property value as a string.
  bool all_strings = false;
};

void WriteScalar(JsonWriter& w, absl::string_view json_literal,
                 const RenderOptions& opts) {
  if (opts.all_strings) {
    w.String(json_literal);
  } else {
    w.Raw(json_literal);
  }
}

// Two strings joined, without an allocation when they are as short as
// property and metric names are: a money property's currency sibling
// (name + suffix), a Klaviyo metric (prefix + kind). Escaped as one text,
// as the halves might not be valid UTF-8 on their own.
class Joined {
 public:
  Joined(absl::string_view a, absl::string_view b)
      : size_(a.size() + b.size()) {
    if (size_ > sizeof(small_)) {
      large_ = absl::StrCat(a, b);
      return;
    }
    std::memcpy(small_, a.data(), a.size());
    std::memcpy(small_ + a.size(), b.data(), b.size());
  }
  absl::string_view view() const {
    return size_ > sizeof(small_) ? absl::string_view(large_)
                                  : absl::string_view(small_, size_);
  }

 private:
  char small_[128];
  std::string large_;
  size_t size_;
};

void WriteProperties(JsonWriter& w, const PropertyMappings& mappings,
                     const v1::CustomerProfile& p, const RenderOptions& opts) {
  char buf[kScalarBuffer];
  for (const auto& m : mappings) {
    std::optional<Value> value = FieldReader::Read(m.field, p);
    if (!value) continue;
    switch (value->type) {
      case FieldType::kString:
        w.Field(m.name, value->text);
        break;
      case FieldType::kInteger:
        w.Key(m.name);
        WriteScalar(w, IntText(value->number, buf), opts);
        break;
      case FieldType::kRatio:
        if (auto text = RatioText(value->ratio, opts.ratio_decimals, buf)) {
          w.Key(m.name);
          WriteScalar(w, *text, opts);
        }
        break;
      case FieldType::kBool:
        w.Key(m.name);
        WriteScalar(w, value->number != 0 ? "true" : "false", opts);
        break;
      case FieldType::kMoney:
        w.Field(m.name, MoneyAmount(value->number, value->text, buf));
        if (!opts.currency_suffix.empty()) {
          w.Field(Joined(m.name, opts.currency_suffix).view(), value->text);
        }
        break;
      case FieldType::kTime:
        w.Field(m.name, FormatRfc3339(value->number));
        break;
    }
  }
}

// Renders one body into a per-thread buffer that keeps its capacity across
// bodies, and returns it at its exact size: one allocation per body, and
// the bodies a caller keeps carry no slack.
template <typename Render>
std::string RenderBody(Render render) {
  thread_local std::string scratch;
  JsonWriter w(&scratch);
  render(w);
  return std::string(w.view());
}

v1::OutboxRecord MakeRecord(absl::string_view topic, absl::string_view key,
                            std::string body, absl::string_view destination,
                            absl::string_view operation) {
  v1::OutboxRecord r;
  r.set_topic(std::string(topic));
  r.set_key(std::string(key));
  r.set_value(std::move(body));
  SetHeader(&r, "content-type", "application/json");
  SetHeader(&r, kDestinationHeader, std::string(destination));
  SetHeader(&r, kOperationHeader, std::string(operation));
  return r;
}

absl::string_view CrmName(const CrmDestination& crm) {
  return crm.flavor == CrmFlavor::kHubSpot ? "hubspot" : "salesforce";
}

// HubSpot: one input of POST /crm/v3/objects/contacts/batch/upsert.
// Salesforce: one record of PATCH /composite/sobjects/{type}/{id_property}.
std::optional<std::string> CrmBody(const DestinationConfig& c,
                                   const v1::CustomerProfile& p) {
  const CrmDestination& crm = c.crm;
  absl::string_view id = FieldText(crm.id_field, p);
  if (id.empty()) return std::nullopt;
  return RenderBody([&](JsonWriter& w) {
    w.Begin();
    if (crm.flavor == CrmFlavor::kHubSpot) {
      w.Field("idProperty", crm.id_property).Field("id", id);
      w.Key("properties").Begin();
      WriteProperties(w, crm.properties, p,
                      {crm.currency_suffix, c.ratio_decimals, true});
      w.End();
    } else {
      w.Key("attributes").Begin().Field("type", crm.salesforce_object).End();
      w.Field(crm.id_property, id);
      WriteProperties(w, crm.properties, p,
                      {crm.currency_suffix, c.ratio_decimals, false});
    }
    w.End();
  });
}

// Klaviyo's identifiers of a profile; external_id is the customer id.
void WriteKlaviyoIdentifiers(JsonWriter& w, absl::string_view customer_id,
                             const v1::CustomerProfile& p) {
  w.FieldIfSet("email", p.emails_size() > 0 ? p.emails(0) : "");
  w.FieldIfSet("phone_number", p.phones_size() > 0 ? p.phones(0) : "");
  w.Field("external_id", customer_id);
}

// POST /api/profile-import (create or update profile).
std::string KlaviyoProfileBody(const DestinationConfig& c,
                               const v1::CustomerProfile& p) {
  return RenderBody([&](JsonWriter& w) {
    w.Begin().Key("data").Begin().Field("type", "profile");
    w.Key("attributes").Begin();
    WriteKlaviyoIdentifiers(w, p.customer_id(), p);
    w.FieldIfSet("first_name", p.first_name());
    w.FieldIfSet("last_name", p.last_name());
    w.Key("properties").Begin();
    WriteProperties(w, c.esp_profiles.properties, p,
                    {c.esp_profiles.currency_suffix, c.ratio_decimals, false});
    w.End().End().End().End();
  });
}

std::string ErpBody(const DestinationConfig& c, const v1::CustomerProfile& p) {
  return RenderBody([&](JsonWriter& w) {
    w.Begin().Field("customer_id", p.customer_id());
    WriteProperties(w, c.erp.properties, p,
                    {c.erp.currency_suffix, c.ratio_decimals, false});
    w.End();
  });
}

// POST /api/data-privacy-deletion-jobs for one identifier.
std::string KlaviyoDeletionBody(absl::string_view identifier_key,
                                absl::string_view identifier) {
  return RenderBody([&](JsonWriter& w) {
    w.Begin().Key("data").Begin().Field("type", "data-privacy-deletion-job");
    w.Key("attributes").Begin().Key("profile").Begin().Key("data").Begin();
    w.Field("type", "profile").Key("attributes").Begin();
    w.Field(identifier_key, identifier);
    w.End().End().End().End().End().End();
  });
}

}  // namespace

std::optional<FieldType> DestinationFieldType(absl::string_view path) {
  return FieldReader::Type(FieldPath(std::string(path)));
}

DestinationBodies RenderDestinations(const DestinationConfig& config,
                                     const v1::CustomerProfile& profile) {
  DestinationBodies b;
  if (config.crm.enabled) b.crm = CrmBody(config, profile);
  if (config.esp_profiles.enabled) {
    b.esp_profile = KlaviyoProfileBody(config, profile);
  }
  if (config.erp.enabled) b.erp = ErpBody(config, profile);
  return b;
}

namespace {

// 0 means "nothing sent", so no body digests to it.
uint64_t BodyDigest(const std::optional<std::string>& body) {
  if (!body.has_value()) return 0;
  uint64_t h = Hash64(*body);
  return h == 0 ? 1 : h;
}

BodyHashes Digests(const DestinationBodies& bodies) {
  return {BodyDigest(bodies.crm), BodyDigest(bodies.esp_profile),
          BodyDigest(bodies.erp)};
}

}  // namespace

std::vector<v1::OutboxRecord> DestinationRecords(
    const DestinationConfig& config, const v1::CustomerProfile* before,
    const v1::CustomerProfile& after) {
  BodyHashes was, now;
  if (before != nullptr) was = Digests(RenderDestinations(config, *before));
  return ChangedDestinationRecords(config, before ? &was : nullptr, after,
                                   &now);
}

std::vector<v1::OutboxRecord> ChangedDestinationRecords(
    const DestinationConfig& config, const BodyHashes* before,
    const v1::CustomerProfile& after, BodyHashes* after_hashes) {
  std::vector<v1::OutboxRecord> out;
  const std::string& key = after.customer_id();
  DestinationBodies now = RenderDestinations(config, after);
  *after_hashes = Digests(now);
  // A record only when the body the destination would get changed.
  auto changed = [&](uint64_t now_hash, uint64_t was_hash) {
    return now_hash != 0 && (before == nullptr || now_hash != was_hash);
  };
  if (changed(after_hashes->crm, before ? before->crm : 0)) {
    out.push_back(MakeRecord(config.crm.topic, key, *now.crm,
                             CrmName(config.crm), kOperationUpsert));
  }
  if (changed(after_hashes->esp_profile, before ? before->esp_profile : 0)) {
    out.push_back(MakeRecord(config.esp_profiles.topic, key, *now.esp_profile,
                             "klaviyo", kOperationUpsert));
  }
  if (changed(after_hashes->erp, before ? before->erp : 0)) {
    out.push_back(
        MakeRecord(config.erp.topic, key, *now.erp, "erp", kOperationUpsert));
  }
  return out;
}

std::vector<v1::OutboxRecord> DestinationDeletes(
    const DestinationConfig& config, const v1::CustomerProfile& last_known) {
  std::vector<v1::OutboxRecord> out;
  const std::string& key = last_known.customer_id();
  if (config.crm.enabled) {
    const CrmDestination& crm = config.crm;
    if (crm.flavor == CrmFlavor::kHubSpot) {
      // POST /crm/v3/objects/contacts/gdpr-delete. Every email: a contact
      // may exist under any of them, and HubSpot blocklists the ones it
      // does not find, so they cannot come back.
      std::vector<std::string> ids;
      if (crm.id_property == "email") {
        ids.assign(last_known.emails().begin(), last_known.emails().end());
      } else if (absl::string_view id = FieldText(crm.id_field, last_known);
                 !id.empty()) {
        ids.emplace_back(id);
      }
      for (const auto& id : ids) {
        std::string body = RenderBody([&](JsonWriter& w) {
          w.Begin().Field("objectId", id).Field("idProperty", crm.id_property);
          w.End();
        });
        out.push_back(MakeRecord(crm.topic, key, std::move(body), "hubspot",
                                 kOperationDelete));
      }
    } else if (absl::string_view id = FieldText(crm.id_field, last_known);
               !id.empty()) {
      // DELETE /sobjects/{type}/{id_property}/{id}.
      std::string body = RenderBody([&](JsonWriter& w) {
        w.Begin().Key("attributes").Begin();
        w.Field("type", crm.salesforce_object).End();
        w.Field(crm.id_property, id).End();
      });
      out.push_back(MakeRecord(crm.topic, key, std::move(body), "salesforce",
                               kOperationDelete));
    }
  }
  if (config.esp_profiles.enabled) {
    // Klaviyo keeps a profile per identifier it has seen, so each one is
    // asked for; deleting a profile also deletes its events.
    for (const auto& email : last_known.emails()) {
      out.push_back(MakeRecord(config.esp_profiles.topic, key,
                               KlaviyoDeletionBody("email", email), "klaviyo",
                               kOperationDelete));
    }
    for (const auto& phone : last_known.phones()) {
      out.push_back(MakeRecord(config.esp_profiles.topic, key,
                               KlaviyoDeletionBody("phone_number", phone),
                               "klaviyo", kOperationDelete));
    }
  }
  if (config.erp.enabled) {
    std::string body = RenderBody([&](JsonWriter& w) {
      w.Begin().Field("customer_id", key).Key("deleted").Raw("true").End();
    });
    out.push_back(MakeRecord(config.erp.topic, key, std::move(body), "erp",
                             kOperationDelete));
  }
  return out;
}

std::vector<v1::OutboxRecord> TriggerEvents(
    const DestinationConfig& config, const v1::Trigger& trigger,
    const v1::CustomerProfile& profile) {
  const EspEventsDestination& esp = config.esp_events;
  if (!esp.enabled) return {};
  if (!trigger.suppressed_by().empty() && !esp.include_suppressed) return {};
  // POST /api/events.
  std::string body = RenderBody([&](JsonWriter& w) {
    w.Begin().Key("data").Begin().Field("type", "event");
    w.Key("attributes").Begin();
    w.Key("properties").Begin();
    w.Field("kind", trigger.kind());
    w.FieldIfSet("reason", trigger.reason());
    w.FieldIfSet("suppressed_by", trigger.suppressed_by());
    w.End();
    if (trigger.has_fired_at()) {
      const auto& t = trigger.fired_at();
      w.Field("time",
              FormatRfc3339(t.seconds() * kMicrosPerSecond + t.nanos() / 1000));
    }
    w.Field("unique_id", trigger.idempotency_key());
    w.Key("metric").Begin().Key("data").Begin().Field("type", "metric");
    w.Key("attributes").Begin();
    w.Field("name", Joined(esp.metric_prefix, trigger.kind()).view());
    w.End().End().End();
    w.Key("profile").Begin().Key("data").Begin().Field("type", "profile");
    w.Key("attributes").Begin();
    WriteKlaviyoIdentifiers(w, trigger.customer_id(), profile);
    w.End().End().End();
    w.End().End().End();
  });
  v1::OutboxRecord r = MakeRecord(esp.topic, trigger.customer_id(),
                                  std::move(body), "klaviyo", kOperationEvent);
  SetHeader(&r, "idempotency-key", trigger.idempotency_key());
  // Not `return {std::move(r)}`: an initializer list would copy the record.
  std::vector<v1::OutboxRecord> out;
  out.push_back(std::move(r));
  return out;
}

}  // namespace custhub::publish
