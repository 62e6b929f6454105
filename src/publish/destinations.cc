// Field catalog and the destination formatters. The mapping and YAML side
// lives in destinations_config.cc.
#include "src/publish/destinations.h"

#include <cmath>
#include <cstdint>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "src/common/hash.h"
#include "src/common/money.h"
#include "src/common/time.h"

namespace custhub::publish {
namespace {

// ---------------------------------------------------------------- JSON ----

// Appends `s` as a JSON string. Invalid UTF-8 becomes U+FFFD so the output
// is always valid JSON; U+2028/U+2029 are escaped for JavaScript consumers.
void AppendJsonString(absl::string_view s, std::string* out) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Runs of printable ASCII other than '"' and '\\' (nearly every
    // string) go in one append.
    size_t run = i;
    while (run < s.size()) {
      const auto r = static_cast<unsigned char>(s[run]);
      if (r < 0x20 || r >= 0x80 || r == '"' || r == '\\') break;
      ++run;
    }
    if (run > i) {
      out->append(s.data() + i, run - i);
      i = run;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        default:
          if (c < 0x20) {
            absl::StrAppend(out, absl::StrFormat("\\u%04x", c));
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Length of a well-formed UTF-8 sequence at i (RFC 3629), or 0.
    auto byte = [&](size_t k) -> unsigned {
      return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
    };
    auto cont = [&](size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
    size_t len = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = cont(1) ? 2 : 0;
    } else if (c >= 0xE0 && c <= 0xEF) {
      unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      len = byte(1) >= lo && byte(1) <= hi && cont(2) ? 3 : 0;
    } else if (c >= 0xF0 && c <= 0xF4) {
      unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      len = byte(1) >= lo && byte(1) <= hi && cont(2) && cont(3) ? 4 : 0;
    }
    if (len == 0) {
      out->append("\xEF\xBF\xBD");
      ++i;
    } else if (len == 3 && c == 0xE2 && byte(1) == 0x80 &&
               (byte(2) == 0xA8 || byte(2) == 0xA9)) {
      out->append(byte(2) == 0xA8 ? "\\u2028" : "\\u2029");
      i += 3;
    } else {
      out->append(s.data() + i, len);
      i += len;
    }
  }
  out->push_back('"');
}

// Writes one JSON document, objects only, in call order (so output is
// deterministic and key order is the mapping's order).
class JsonWriter {
 public:
  JsonWriter& Begin() {
    Separate();
    out_.push_back('{');
    first_.push_back(true);
    return *this;
  }
  JsonWriter& End() {
    out_.push_back('}');
    first_.pop_back();
    return *this;
  }
  JsonWriter& Key(absl::string_view key) {
    Separate();
    AppendJsonString(key, &out_);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }
  JsonWriter& String(absl::string_view value) {
    Separate();
    AppendJsonString(value, &out_);
    return *this;
  }
  // A number or literal already in JSON syntax.
  JsonWriter& Raw(absl::string_view json) {
    Separate();
    out_.append(json.data(), json.size());
    return *this;
  }
  JsonWriter& Field(absl::string_view key, absl::string_view value) {
    return Key(key).String(value);
  }
  // Skips the member when `value` is empty.
  JsonWriter& FieldIfSet(absl::string_view key, absl::string_view value) {
    return value.empty() ? *this : Field(key, value);
  }
  std::string Take() { return std::move(out_); }

 private:
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }

  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

// ------------------------------------------------------- field catalog ----

struct Ratio {
  double value;
};
// A rendered field: absent fields are skipped, so custhub never clears a
// destination property it did not set.
using FieldValue =
    std::variant<std::string, int64_t, Ratio, bool, custhub::Money>;
using Getter = std::optional<FieldValue> (*)(const v1::CustomerProfile&);

std::optional<FieldValue> Str(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return FieldValue(s);
}
std::optional<FieldValue> Int(int64_t v) { return FieldValue(v); }
std::optional<FieldValue> Rat(double v) { return FieldValue(Ratio{v}); }
std::optional<FieldValue> Cash(const v1::Money& m) {
  if (m.currency().empty()) return std::nullopt;  // nothing ordered yet
  return FieldValue(custhub::Money{m.minor(), m.currency()});
}
std::optional<FieldValue> Time(bool has, const google::protobuf::Timestamp& t) {
  if (!has || (t.seconds() == 0 && t.nanos() == 0)) return std::nullopt;
  return FieldValue(
      FormatRfc3339(t.seconds() * kMicrosPerSecond + t.nanos() / 1000));
}

struct CatalogEntry {
  absl::string_view path;
  FieldType type;
  Getter get;
};

#define CUSTHUB_FIELD(path, type, expr)                                 \
  CatalogEntry {                                                        \
    path, FieldType::type,                                              \
        [](const v1::CustomerProfile& p) -> std::optional<FieldValue> { \
          return expr;                                                  \
        }                                                               \
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
    CUSTHUB_FIELD("checkout.open", kBool, FieldValue(p.checkout().open())),
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

std::optional<FieldValue> Resolve(absl::string_view path,
                                  const v1::CustomerProfile& p) {
  for (const auto& entry : kCatalog) {
    if (entry.path == path) return entry.get(p);
  }
  if (auto i = IndexedPath(path, "emails")) {
    return *i < p.emails_size() ? Str(p.emails(*i)) : std::nullopt;
  }
  if (auto i = IndexedPath(path, "phones")) {
    return *i < p.phones_size() ? Str(p.phones(*i)) : std::nullopt;
  }
  if (absl::ConsumePrefix(&path, kExternalIdsPrefix)) {
    auto it = p.external_ids().find(std::string(path));
    return it == p.external_ids().end() ? std::nullopt : Str(it->second);
  }
  return std::nullopt;
}

std::string FieldString(absl::string_view path, const v1::CustomerProfile& p) {
  auto v = Resolve(path, p);
  if (!v || !std::holds_alternative<std::string>(*v)) return "";
  return std::get<std::string>(*v);
}

// ---------------------------------------------------------- rendering ----

// Exact major units: 12050 USD -> "120.50", 1500 JPY -> "1500".
std::string MoneyAmount(const custhub::Money& m) {
  auto exponent = CurrencyExponent(m.currency);
  int e = exponent.ok() ? *exponent : 2;
  uint64_t scale = 1;
  for (int i = 0; i < e; ++i) scale *= 10;
  // Unsigned, so the most negative int64 has a magnitude too.
  uint64_t abs = m.minor < 0 ? 0 - static_cast<uint64_t>(m.minor)
                             : static_cast<uint64_t>(m.minor);
  std::string out = absl::StrCat(m.minor < 0 ? "-" : "", abs / scale);
  if (e > 0) {
    std::string frac = absl::StrCat(abs % scale);
    absl::StrAppend(&out, ".", std::string(e - frac.size(), '0'), frac);
  }
  return out;
}

// Rounded, trailing zeros trimmed; nullopt for NaN and infinities.
std::optional<std::string> RatioText(double v, int decimals) {
  if (!std::isfinite(v)) return std::nullopt;
  std::string s = absl::StrFormat("%.*f", decimals, v);
  if (absl::StrContains(s, '.')) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
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

void WriteProperties(JsonWriter& w, const PropertyMappings& mappings,
                     const v1::CustomerProfile& p, const RenderOptions& opts) {
  for (const auto& m : mappings) {
    auto value = Resolve(m.field, p);
    if (!value) continue;
    if (auto* s = std::get_if<std::string>(&*value)) {
      w.Field(m.name, *s);
    } else if (auto* i = std::get_if<int64_t>(&*value)) {
      w.Key(m.name);
      WriteScalar(w, absl::StrCat(*i), opts);
    } else if (auto* r = std::get_if<Ratio>(&*value)) {
      auto text = RatioText(r->value, opts.ratio_decimals);
      if (!text) continue;
      w.Key(m.name);
      WriteScalar(w, *text, opts);
    } else if (auto* b = std::get_if<bool>(&*value)) {
      w.Key(m.name);
      WriteScalar(w, *b ? "true" : "false", opts);
    } else if (auto* money = std::get_if<custhub::Money>(&*value)) {
      w.Field(m.name, MoneyAmount(*money));
      if (!opts.currency_suffix.empty()) {
        w.Field(absl::StrCat(m.name, opts.currency_suffix), money->currency);
      }
    }
  }
}

v1::OutboxRecord MakeRecord(absl::string_view topic, absl::string_view key,
                            std::string body, absl::string_view destination,
                            absl::string_view operation) {
  v1::OutboxRecord r;
  r.set_topic(std::string(topic));
  r.set_key(std::string(key));
  r.set_value(std::move(body));
  auto& h = *r.mutable_headers();
  h["content-type"] = "application/json";
  h[std::string(kDestinationHeader)] = std::string(destination);
  h[std::string(kOperationHeader)] = std::string(operation);
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
  std::string id = FieldString(crm.id_field, p);
  if (id.empty()) return std::nullopt;
  JsonWriter w;
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
  return w.End().Take();
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
  JsonWriter w;
  w.Begin().Key("data").Begin().Field("type", "profile");
  w.Key("attributes").Begin();
  WriteKlaviyoIdentifiers(w, p.customer_id(), p);
  w.FieldIfSet("first_name", p.first_name());
  w.FieldIfSet("last_name", p.last_name());
  w.Key("properties").Begin();
  WriteProperties(w, c.esp_profiles.properties, p,
                  {c.esp_profiles.currency_suffix, c.ratio_decimals, false});
  w.End().End().End().End();
  return w.Take();
}

std::string ErpBody(const DestinationConfig& c, const v1::CustomerProfile& p) {
  JsonWriter w;
  w.Begin().Field("customer_id", p.customer_id());
  WriteProperties(w, c.erp.properties, p,
                  {c.erp.currency_suffix, c.ratio_decimals, false});
  return w.End().Take();
}

// POST /api/data-privacy-deletion-jobs for one identifier.
std::string KlaviyoDeletionBody(absl::string_view identifier_key,
                                absl::string_view identifier) {
  JsonWriter w;
  w.Begin().Key("data").Begin().Field("type", "data-privacy-deletion-job");
  w.Key("attributes").Begin().Key("profile").Begin().Key("data").Begin();
  w.Field("type", "profile").Key("attributes").Begin();
  w.Field(identifier_key, identifier);
  w.End().End().End().End().End().End();
  return w.Take();
}

}  // namespace

std::optional<FieldType> DestinationFieldType(absl::string_view path) {
  for (const auto& entry : kCatalog) {
    if (entry.path == path) return entry.type;
  }
  if (IndexedPath(path, "emails") || IndexedPath(path, "phones")) {
    return FieldType::kString;
  }
  if (absl::StartsWith(path, kExternalIdsPrefix) &&
      path.size() > kExternalIdsPrefix.size()) {
    return FieldType::kString;
  }
  return std::nullopt;
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

std::vector<v1::OutboxRecord> DestinationRecords(
    const DestinationConfig& config, const v1::CustomerProfile* before,
    const v1::CustomerProfile& after) {
  DestinationBodies was, now;
  if (before != nullptr) was = RenderDestinations(config, *before);
  return DestinationRecords(config, before ? &was : nullptr, after, &now);
}

std::vector<v1::OutboxRecord> DestinationRecords(
    const DestinationConfig& config, const DestinationBodies* before,
    const v1::CustomerProfile& after, DestinationBodies* after_bodies) {
  std::vector<v1::OutboxRecord> out;
  const std::string& key = after.customer_id();
  *after_bodies = RenderDestinations(config, after);
  // A record only when the body the destination would get changed.
  auto changed = [&](const std::optional<std::string>& now,
                     const std::optional<std::string>& was) {
    return now.has_value() && (before == nullptr || now != was);
  };
  static const std::optional<std::string> kNone;
  if (changed(after_bodies->crm, before ? before->crm : kNone)) {
    out.push_back(MakeRecord(config.crm.topic, key, *after_bodies->crm,
                             CrmName(config.crm), kOperationUpsert));
  }
  if (changed(after_bodies->esp_profile,
              before ? before->esp_profile : kNone)) {
    out.push_back(MakeRecord(config.esp_profiles.topic, key,
                             *after_bodies->esp_profile, "klaviyo",
                             kOperationUpsert));
  }
  if (changed(after_bodies->erp, before ? before->erp : kNone)) {
    out.push_back(MakeRecord(config.erp.topic, key, *after_bodies->erp, "erp",
                             kOperationUpsert));
  }
  return out;
}

std::vector<v1::OutboxRecord> ChangedDestinationRecords(
    const DestinationConfig& config, const BodyHashes* before,
    const v1::CustomerProfile& after, BodyHashes* after_hashes) {
  std::vector<v1::OutboxRecord> out;
  const std::string& key = after.customer_id();
  DestinationBodies now = RenderDestinations(config, after);
  auto digest = [](const std::optional<std::string>& body) -> uint64_t {
    if (!body.has_value()) return 0;
    uint64_t h = Hash64(*body);
    return h == 0 ? 1 : h;  // 0 means "nothing sent"
  };
  *after_hashes = {digest(now.crm), digest(now.esp_profile), digest(now.erp)};
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
      } else if (std::string id = FieldString(crm.id_field, last_known);
                 !id.empty()) {
        ids.push_back(id);
      }
      for (const auto& id : ids) {
        JsonWriter w;
        w.Begin().Field("objectId", id).Field("idProperty", crm.id_property);
        out.push_back(MakeRecord(crm.topic, key, w.End().Take(), "hubspot",
                                 kOperationDelete));
      }
    } else if (std::string id = FieldString(crm.id_field, last_known);
               !id.empty()) {
      // DELETE /sobjects/{type}/{id_property}/{id}.
      JsonWriter w;
      w.Begin().Key("attributes").Begin();
      w.Field("type", crm.salesforce_object).End();
      w.Field(crm.id_property, id);
      out.push_back(MakeRecord(crm.topic, key, w.End().Take(), "salesforce",
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
    JsonWriter w;
    w.Begin().Field("customer_id", key).Key("deleted").Raw("true");
    out.push_back(MakeRecord(config.erp.topic, key, w.End().Take(), "erp",
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
  JsonWriter w;
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
  w.Field("name", absl::StrCat(esp.metric_prefix, trigger.kind()));
  w.End().End().End();
  w.Key("profile").Begin().Key("data").Begin().Field("type", "profile");
  w.Key("attributes").Begin();
  WriteKlaviyoIdentifiers(w, trigger.customer_id(), profile);
  w.End().End().End();
  w.End().End().End();
  v1::OutboxRecord r = MakeRecord(esp.topic, trigger.customer_id(), w.Take(),
                                  "klaviyo", kOperationEvent);
  (*r.mutable_headers())["idempotency-key"] = trigger.idempotency_key();
  return {std::move(r)};
}

}  // namespace custhub::publish
