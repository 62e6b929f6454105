// Destination-shaped records for the CRM, ESP and ERP topics, built without
// I/O: contact upserts on crm.contacts (HubSpot's batch-upsert input or a
// Salesforce sObject record), Klaviyo profiles on esp.profiles, Klaviyo
// events for triggers on esp.events, and a customer master record on
// erp.customers. Which custhub fields a destination carries, and under which
// names, comes from the `destinations:` section of custhub.yaml
// (src/publish/README.md lists the keys and the default mappings).
//
//   // Once, at start-up, from the flattened YAML ("destinations.crm.flavor").
//   CUSTHUB_ASSIGN_OR_RETURN(DestinationConfig config,
//                            DestinationConfigFromMap(yaml_entries));
//   // After a batch changed a customer: only destinations whose rendered
//   // fields changed get a record.
//   for (auto& r : DestinationRecords(config, &before, after)) outbox.Add(r);
//   for (auto& r : TriggerEvents(config, trigger, after)) outbox.Add(r);
//   // On erasure, with the last profile custhub held:
//   for (auto& r : DestinationDeletes(config, last_known)) outbox.Add(r);
//
// Every record is keyed by customer id, its value is a JSON body the
// destination's API takes as is, and its headers say `content-type:
// application/json`, `destination` (hubspot, salesforce, klaviyo, erp) and
// `operation` (upsert, delete, event). Output is deterministic: the same
// profile renders the same bytes, so replays publish the same records.
// All functions are pure and thread-safe; DestinationConfig is a plain value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "custhub/v1/profile.pb.h"
#include "custhub/v1/state.pb.h"
#include "custhub/v1/trigger.pb.h"

namespace custhub::publish {

namespace v1 = custhub::v1;

// Record headers besides content-type.
inline constexpr absl::string_view kDestinationHeader = "destination";
inline constexpr absl::string_view kOperationHeader = "operation";
inline constexpr absl::string_view kOperationUpsert = "upsert";
inline constexpr absl::string_view kOperationDelete = "delete";
inline constexpr absl::string_view kOperationEvent = "event";

// How a custhub field renders. Money renders as an exact decimal string in
// major units ("120.50") plus, when the destination has a currency suffix, a
// sibling property name+suffix holding the ISO 4217 code; times as RFC 3339
// UTC strings; ratios as JSON numbers rounded to `ratio_decimals`.
enum class FieldType { kString, kInteger, kRatio, kBool, kMoney, kTime };

// The type of a custhub field path, or nullopt if custhub has no such field.
// Paths: customerId, firstName, lastName, emails[N], phones[N],
// externalIds.<source>, firstSeenAt, lastEventAt, and orders.*, returns.*,
// support.*, email.*, checkout.*, traits.* as in the contract's field names,
// plus orders.currency (the shop currency) and traits.crmLifecycleStage
// ("customer" once the customer has an order, else absent).
std::optional<FieldType> DestinationFieldType(absl::string_view path);

// A custhub field path (as above) that is resolved when it is set, so
// rendering a profile reads the field it names without looking the path up
// each time. It converts from, compares as and prints as its text, so
// mappings read as strings: {"total_revenue", "orders.netRevenue"}. An
// unknown path renders nothing (Validate refuses it). A plain value.
class FieldPath {
 public:
  FieldPath() = default;
  // Implicit on purpose: a path is its text.
  FieldPath(std::string path);  // NOLINT(google-explicit-constructor)
  FieldPath(const char* path)   // NOLINT(google-explicit-constructor)
      : FieldPath(std::string(path)) {}

  const std::string& path() const { return path_; }
  operator absl::string_view() const { return path_; }  // NOLINT

  friend bool operator==(const FieldPath& a, const FieldPath& b) {
    return a.path_ == b.path_;
  }
  friend std::ostream& operator<<(std::ostream& os, const FieldPath& f) {
    return os << f.path_;
  }

 private:
  friend class FieldReader;  // destinations.cc: resolves and reads paths

  // What the path names: an entry of the field catalog in destinations.cc,
  // an element of emails or phones, or an external id.
  enum class Source : uint8_t { kUnknown, kCatalog, kEmail, kPhone, kExternal };

  std::string path_;
  Source source_ = Source::kUnknown;
  int index_ = 0;  // the catalog entry, or N of emails[N] / phones[N]
};

// One destination property: what the destination calls it and which custhub
// field (a path in the contract's field names, e.g. "orders.netRevenue")
// its value comes from.
struct PropertyMapping {
  std::string name;
  FieldPath field;

  friend bool operator==(const PropertyMapping&,
                         const PropertyMapping&) = default;
};
// Rendered in this order. Renaming a property changes `name`; dropping one
// removes its entry.
using PropertyMappings = std::vector<PropertyMapping>;

// The default mappings (src/publish/README.md prints them).
PropertyMappings DefaultHubSpotProperties();
PropertyMappings DefaultSalesforceProperties();
PropertyMappings DefaultKlaviyoProperties();
PropertyMappings DefaultErpProperties();

enum class CrmFlavor { kHubSpot, kSalesforce };

// crm.contacts. Defaults marked (hubspot)/(salesforce) follow `flavor`.
struct CrmDestination {
  bool enabled = true;                     // Default: true
  std::string topic = "crm.contacts";      // Default: crm.contacts
  CrmFlavor flavor = CrmFlavor::kHubSpot;  // Default: hubspot
  // The destination's unique property that finds the contact, and the
  // custhub field that supplies its value. A profile without that value
  // gets no CRM record. Default: "email" (hubspot), "Custhub_Id__c"
  // (salesforce, an External ID field to create in the org)
  std::string id_property = "email";
  // Default: "emails[0]" (hubspot), "customerId" (salesforce)
  FieldPath id_field = "emails[0]";
  // Salesforce only: the sObject type. Default: Contact
  std::string salesforce_object = "Contact";
  // Appended to a money property's name for its currency code; empty emits
  // no currency property. Default: "_currency" (hubspot), "" (salesforce)
  std::string currency_suffix = "_currency";
  // Default: DefaultHubSpotProperties() (hubspot),
  // DefaultSalesforceProperties() (salesforce)
  PropertyMappings properties = DefaultHubSpotProperties();
};

// esp.profiles: Klaviyo's create-or-update profile body. email,
// phone_number, external_id (the customer id), first_name and last_name are
// always carried; `properties` are the custom ones.
struct EspProfilesDestination {
  bool enabled = true;                        // Default: true
  std::string topic = "esp.profiles";         // Default: esp.profiles
  std::string currency_suffix = "_currency";  // Default: "_currency"
  PropertyMappings properties = DefaultKlaviyoProperties();  // Default: ditto
};

// esp.events: Klaviyo's create-event body for each trigger.
struct EspEventsDestination {
  bool enabled = true;               // Default: true
  std::string topic = "esp.events";  // Default: esp.events
  // Suppressed triggers stay on customer.triggers only; true also sends
  // them, with properties.suppressed_by set. Default: false
  bool include_suppressed = false;
  // The Klaviyo metric is this prefix plus the trigger kind. Default:
  // "custhub " (e.g. "custhub abandoned_cart")
  std::string metric_prefix = "custhub ";
};

// erp.customers: a flat customer master record, {"customer_id": ..., mapped
// properties}.
struct ErpDestination {
  bool enabled = true;                  // Default: true
  std::string topic = "erp.customers";  // Default: erp.customers
  // The default mapping carries the shop currency once, as "currency".
  std::string currency_suffix;                           // Default: ""
  PropertyMappings properties = DefaultErpProperties();  // Default: ditto
};

// Plain options: copy freely, validate once at start-up.
struct DestinationConfig {
  CrmDestination crm;
  EspProfilesDestination esp_profiles;
  EspEventsDestination esp_events;
  ErpDestination erp;
  // Decimals of ratio fields (returns.returnRate, traits.churnRisk). Fewer
  // decimals mean fewer upserts for tiny changes. 0..9. Default: 3
  int ratio_decimals = 3;

  // InvalidArgument naming the YAML key (destinations.crm.properties.x) of
  // the first bad value: an unknown custhub field, an empty or repeated
  // property name, an empty topic.
  absl::Status Validate() const;
};

// Builds and validates the config from flattened YAML: keys under
// "destinations." (e.g. "destinations.crm.properties.total_revenue" ->
// "orders.netRevenue"; "" drops the property); other keys are ignored. An
// unknown key under "destinations." is InvalidArgument naming it.
absl::StatusOr<DestinationConfig> DestinationConfigFromMap(
    const std::map<std::string, std::string>& entries);

// Upserts for each enabled destination (crm, esp.profiles, erp) whose
// rendered body differs between `before` (null for a new customer: every
// destination that can identify the customer gets one) and `after`.
std::vector<v1::OutboxRecord> DestinationRecords(
    const DestinationConfig& config, const v1::CustomerProfile* before,
    const v1::CustomerProfile& after);

// The bodies each enabled destination would get for one profile; absent
// where the destination is off or cannot identify the customer.
struct DestinationBodies {
  std::optional<std::string> crm, esp_profile, erp;
};
DestinationBodies RenderDestinations(const DestinationConfig& config,
                                     const v1::CustomerProfile& profile);

// What each destination was last sent, as 64-bit digests of its bodies
// (0: nothing), so a customer's old profile need not be rendered again to
// tell whether a body changed. A customer carries these in its state.
struct BodyHashes {
  uint64_t crm = 0, esp_profile = 0, erp = 0;
};

// Upserts as DestinationRecords gives, comparing with the digests of what
// was sent instead of an old profile (DestinationRecords renders and
// digests that one, then calls this). Null `before` (a new customer, or
// state from before digests were kept) sends every body. Hands back
// `after`'s digests in `after_hashes`.
std::vector<v1::OutboxRecord> ChangedDestinationRecords(
    const DestinationConfig& config, const BodyHashes* before,
    const v1::CustomerProfile& after, BodyHashes* after_hashes);

// Each enabled destination's erasure form for an erased customer: HubSpot
// GDPR delete per email, Salesforce delete by external id, a Klaviyo
// data-privacy deletion job per email and phone, ERP {"deleted": true}.
std::vector<v1::OutboxRecord> DestinationDeletes(
    const DestinationConfig& config, const v1::CustomerProfile& last_known);

// The Klaviyo event for `trigger` (none when esp.events is disabled, or the
// trigger is suppressed and include_suppressed is false). Its unique_id and
// `idempotency-key` header are the trigger's idempotency key; `profile`
// supplies email and phone.
std::vector<v1::OutboxRecord> TriggerEvents(const DestinationConfig& config,
                                            const v1::Trigger& trigger,
                                            const v1::CustomerProfile& profile);

}  // namespace custhub::publish
