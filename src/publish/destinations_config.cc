// Default property mappings, validation, and the `destinations:` keys of
// custhub.yaml. The formatters live in destinations.cc.
#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "src/publish/destinations.h"

namespace custhub::publish {

PropertyMappings DefaultHubSpotProperties() {
  return {
      {"email", "emails[0]"},
      {"firstname", "firstName"},
      {"lastname", "lastName"},
      {"phone", "phones[0]"},
      {"lifecyclestage", "traits.crmLifecycleStage"},
      {"custhub_customer_id", "customerId"},
      {"custhub_lifecycle_stage", "traits.lifecycleStage"},
      {"total_revenue", "orders.netRevenue"},
      {"order_count", "orders.count"},
      {"last_order_date", "orders.lastOrderAt"},
      {"open_tickets", "support.openTickets"},
      {"churn_risk", "traits.churnRisk"},
  };
}

PropertyMappings DefaultSalesforceProperties() {
  return {
      {"Email", "emails[0]"},
      {"FirstName", "firstName"},
      {"LastName", "lastName"},
      {"Phone", "phones[0]"},
      {"Custhub_Lifecycle_Stage__c", "traits.lifecycleStage"},
      {"Total_Revenue__c", "orders.netRevenue"},
      {"Order_Count__c", "orders.count"},
      {"Last_Order_Date__c", "orders.lastOrderAt"},
      {"Open_Tickets__c", "support.openTickets"},
      {"Churn_Risk__c", "traits.churnRisk"},
  };
}

PropertyMappings DefaultKlaviyoProperties() {
  return {
      {"lifecycle_stage", "traits.lifecycleStage"},
      {"total_revenue", "orders.netRevenue"},
      {"order_count", "orders.count"},
      {"average_order_value", "orders.averageOrderValue"},
      {"first_order_date", "orders.firstOrderAt"},
      {"last_order_date", "orders.lastOrderAt"},
      {"open_tickets", "support.openTickets"},
      {"churn_risk", "traits.churnRisk"},
      {"predicted_ltv", "traits.predictedLtv"},
      {"email_consent", "email.consent"},
  };
}

PropertyMappings DefaultErpProperties() {
  return {
      {"first_name", "firstName"},
      {"last_name", "lastName"},
      {"billing_email", "emails[0]"},
      {"billing_phone", "phones[0]"},
      {"lifetime_net_revenue", "orders.netRevenue"},
      {"currency", "orders.currency"},
      {"return_rate", "returns.returnRate"},
      {"refund_total", "orders.refunded"},
      {"first_order_at", "orders.firstOrderAt"},
      {"last_order_at", "orders.lastOrderAt"},
  };
}

namespace {

constexpr absl::string_view kPrefix = "destinations.";

absl::Status Invalid(absl::string_view key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(kPrefix, key, ": ", what));
}

// `scope` is the YAML path of the destination, e.g. "crm" or "esp.profiles".
absl::Status ValidateMappings(absl::string_view scope,
                              const PropertyMappings& mappings,
                              absl::string_view currency_suffix,
                              std::set<std::string> taken) {
  for (const auto& m : mappings) {
    std::string key = absl::StrCat(scope, ".properties.", m.name);
    if (m.name.empty()) {
      return Invalid(absl::StrCat(scope, ".properties"),
                     "a property name is empty");
    }
    auto type = DestinationFieldType(m.field);
    if (!type) {
      return Invalid(key,
                     absl::StrCat("unknown custhub field '", m.field.path(),
                                  "' (see src/publish/README.md)"));
    }
    std::vector<std::string> names = {m.name};
    if (*type == FieldType::kMoney && !currency_suffix.empty()) {
      names.push_back(absl::StrCat(m.name, currency_suffix));
    }
    for (const auto& name : names) {
      if (!taken.insert(name).second) {
        return Invalid(key,
                       absl::StrCat("property '", name, "' is written twice"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTopic(absl::string_view scope, bool enabled,
                        const std::string& topic) {
  if (enabled && topic.empty()) {
    return Invalid(absl::StrCat(scope, ".topic"), "empty");
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ParseBool(absl::string_view key, absl::string_view v) {
  std::string s = absl::AsciiStrToLower(v);
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  return Invalid(key, absl::StrCat("'", v, "' is not true or false"));
}

// What a mapping-driven destination exposes to the key parser.
struct MappedKeys {
  bool* enabled;
  std::string* topic;
  std::string* currency_suffix;
  PropertyMappings* properties;
};

// Sets `name` to `field`, in place if present (keeping its position), else
// appended; an empty `field` drops it.
absl::Status ApplyProperty(absl::string_view key, const std::string& name,
                           const std::string& field,
                           PropertyMappings* mappings) {
  auto it = std::find_if(mappings->begin(), mappings->end(),
                         [&](const auto& m) { return m.name == name; });
  if (field.empty()) {
    if (it == mappings->end()) {
      return Invalid(key, "no such property to drop");
    }
    mappings->erase(it);
  } else if (it != mappings->end()) {
    it->field = field;
  } else {
    mappings->push_back({name, field});
  }
  return absl::OkStatus();
}

// Keys shared by crm, esp.profiles and erp; `rest` is the key after the
// destination's scope. NotFound if the key is none of them.
absl::Status ApplyMappedKey(absl::string_view key, absl::string_view rest,
                            const std::string& value, const MappedKeys& d) {
  if (rest == "enabled") {
    auto b = ParseBool(key, value);
    if (!b.ok()) return b.status();
    *d.enabled = *b;
  } else if (rest == "topic") {
    *d.topic = value;
  } else if (rest == "currency_suffix") {
    *d.currency_suffix = value;
  } else if (rest == "default_properties") {
    // Read in the first pass; see DestinationConfigFromMap.
  } else if (absl::ConsumePrefix(&rest, "properties.") && !rest.empty()) {
    return ApplyProperty(key, std::string(rest), value, d.properties);
  } else {
    return absl::NotFoundError(key);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DestinationConfig::Validate() const {
  if (ratio_decimals < 0 || ratio_decimals > 9) {
    return Invalid("ratio_decimals",
                   absl::StrCat(ratio_decimals, " is not in 0..9"));
  }
  if (crm.enabled) {
    if (auto s = CheckTopic("crm", crm.enabled, crm.topic); !s.ok()) return s;
    if (crm.id_property.empty()) return Invalid("crm.id_property", "empty");
    if (DestinationFieldType(crm.id_field) != FieldType::kString) {
      return Invalid("crm.id_field",
                     absl::StrCat("'", crm.id_field.path(),
                                  "' is not a custhub text field"));
    }
    std::set<std::string> taken;
    if (crm.flavor == CrmFlavor::kSalesforce) {
      if (crm.salesforce_object.empty()) {
        return Invalid("crm.salesforce_object", "empty");
      }
      taken = {"attributes", crm.id_property};
    }
    if (auto s = ValidateMappings("crm", crm.properties, crm.currency_suffix,
                                  std::move(taken));
        !s.ok()) {
      return s;
    }
  }
  if (esp_profiles.enabled) {
    if (auto s = CheckTopic("esp.profiles", true, esp_profiles.topic);
        !s.ok()) {
      return s;
    }
    if (auto s = ValidateMappings("esp.profiles", esp_profiles.properties,
                                  esp_profiles.currency_suffix, {});
        !s.ok()) {
      return s;
    }
  }
  if (auto s = CheckTopic("esp.events", esp_events.enabled, esp_events.topic);
      !s.ok()) {
    return s;
  }
  if (erp.enabled) {
    if (auto s = CheckTopic("erp", true, erp.topic); !s.ok()) return s;
    if (auto s = ValidateMappings("erp", erp.properties, erp.currency_suffix,
                                  {"customer_id"});
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<DestinationConfig> DestinationConfigFromMap(
    const std::map<std::string, std::string>& entries) {
  DestinationConfig config;
  auto get = [&](absl::string_view key) -> const std::string* {
    auto it = entries.find(absl::StrCat(kPrefix, key));
    return it == entries.end() ? nullptr : &it->second;
  };

  // First pass: what the other keys' defaults depend on.
  if (const std::string* flavor = get("crm.flavor")) {
    std::string f = absl::AsciiStrToLower(*flavor);
    if (f == "salesforce") {
      config.crm.flavor = CrmFlavor::kSalesforce;
      config.crm.id_property = "Custhub_Id__c";
      config.crm.id_field = "customerId";
      config.crm.currency_suffix = "";
      config.crm.properties = DefaultSalesforceProperties();
    } else if (f != "hubspot") {
      return Invalid(
          "crm.flavor",
          absl::StrCat("'", *flavor, "' is not hubspot or salesforce"));
    }
  }
  for (auto [scope, props] : {std::pair<absl::string_view, PropertyMappings*>{
                                  "crm", &config.crm.properties},
                              {"esp.profiles", &config.esp_profiles.properties},
                              {"erp", &config.erp.properties}}) {
    std::string key = absl::StrCat(scope, ".default_properties");
    if (const std::string* v = get(key)) {
      auto keep = ParseBool(key, *v);
      if (!keep.ok()) return keep.status();
      if (!*keep) props->clear();
    }
  }

  const MappedKeys crm{&config.crm.enabled, &config.crm.topic,
                       &config.crm.currency_suffix, &config.crm.properties};
  const MappedKeys esp_profiles{
      &config.esp_profiles.enabled, &config.esp_profiles.topic,
      &config.esp_profiles.currency_suffix, &config.esp_profiles.properties};
  const MappedKeys erp{&config.erp.enabled, &config.erp.topic,
                       &config.erp.currency_suffix, &config.erp.properties};

  for (const auto& [full_key, value] : entries) {
    absl::string_view key = full_key;
    if (!absl::ConsumePrefix(&key, kPrefix)) continue;
    absl::string_view rest = key;
    absl::Status status = absl::NotFoundError(key);
    if (key == "ratio_decimals") {
      if (!absl::SimpleAtoi(value, &config.ratio_decimals)) {
        return Invalid(key, absl::StrCat("'", value, "' is not an integer"));
      }
      status = absl::OkStatus();
    } else if (absl::ConsumePrefix(&rest, "crm.")) {
      if (rest == "flavor") {
        status = absl::OkStatus();  // first pass
      } else if (rest == "id_property") {
        config.crm.id_property = value;
        status = absl::OkStatus();
      } else if (rest == "id_field") {
        config.crm.id_field = value;
        status = absl::OkStatus();
      } else if (rest == "salesforce_object") {
        config.crm.salesforce_object = value;
        status = absl::OkStatus();
      } else {
        status = ApplyMappedKey(key, rest, value, crm);
      }
    } else if (absl::ConsumePrefix(&rest, "esp.profiles.")) {
      status = ApplyMappedKey(key, rest, value, esp_profiles);
    } else if (absl::ConsumePrefix(&rest, "erp.")) {
      status = ApplyMappedKey(key, rest, value, erp);
    } else if (absl::ConsumePrefix(&rest, "esp.events.")) {
      auto& events = config.esp_events;
      status = absl::OkStatus();
      if (rest == "enabled" || rest == "include_suppressed") {
        auto b = ParseBool(key, value);
        if (!b.ok()) return b.status();
        (rest == "enabled" ? events.enabled : events.include_suppressed) = *b;
      } else if (rest == "topic") {
        events.topic = value;
      } else if (rest == "metric_prefix") {
        events.metric_prefix = value;
      } else {
        status = absl::NotFoundError(key);
      }
    }
    if (absl::IsNotFound(status)) return Invalid(key, "unknown key");
    if (!status.ok()) return status;
  }
  if (auto s = config.Validate(); !s.ok()) return s;
  return config;
}

}  // namespace custhub::publish
