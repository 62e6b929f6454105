// A customer's state as plain C++: v1::CustomerState and its RulesState
// (state.proto, profile.proto, rules.proto) field for field, with the
// sub-messages inline instead of allocated one by one. The first step of
// moving the hot path off protobuf messages (bench/README.md, "What the
// targets need"): a record decodes from the bytes the store holds ~2.7x
// faster than protobuf parses them, and encodes them ~1.3x faster.
//
// The bytes are protobuf's: Encode* writes exactly what protobuf's
// deterministic serialisation of the same message writes, and Decode* reads
// what protobuf reads (fields in any order, repeated sub-messages merged,
// packed or unpacked numbers, unknown fields skipped), so records and
// messages share the profiles and rules families, the digest and the tools.
// Unknown fields are dropped, and strings are not checked for UTF-8 (the
// store's bytes were checked when they were made).
//
//   CustomerRecord c;
//   CUSTHUB_RETURN_IF_ERROR(DecodeCustomer(profile_bytes, &c));
//   CUSTHUB_RETURN_IF_ERROR(DecodeRules(rules_bytes, &c.rules));
//   std::string bytes;
//   EncodeCustomer(c, /*with_rules=*/false, &bytes);  // == the message's
//
// A proto3 sub-message is written when set, even empty: `set` says so.
// A record is a value; the functions are pure (any thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace custhub::profile {

// google.protobuf.Timestamp.
struct Time {
  bool set = false;
  int64_t seconds = 0;
  int32_t nanos = 0;
};

// v1::Money.
struct Amount {
  bool set = false;
  int64_t minor = 0;
  std::string currency;
};

struct CustomerRecord {
  struct Orders {  // v1::OrderStats
    bool set = false;
    int32_t count = 0;
    Time first_order_at, last_order_at;
    Amount gross_revenue, refunded, net_revenue, average_order_value;
    int32_t cancelled_count = 0, open_count = 0, items_bought = 0;
  };
  struct Returns {  // v1::ReturnStats
    bool set = false;
    int32_t count = 0, items_returned = 0;
    double return_rate = 0;
    Time last_return_at;
  };
  struct Support {  // v1::SupportStats
    bool set = false;
    int32_t open_tickets = 0, total_tickets = 0;
    Time last_ticket_at;
    std::string last_satisfaction;
  };
  struct Email {  // v1::EmailStats
    bool set = false;
    int32_t consent = 0;  // v1::EmailStats::Consent
    int32_t delivered = 0, opens = 0, clicks = 0, bounces = 0,
            spam_complaints = 0;
    Time last_open_at, last_click_at;
  };
  struct Checkout {  // v1::CheckoutState
    bool set = false;
    bool open = false;
    Amount value;
    Time since;
    std::string checkout_token;
  };
  struct Traits {  // v1::Traits
    bool set = false;
    int32_t recency = 0, frequency = 0, monetary = 0;
    std::string lifecycle_stage;
    double churn_risk = 0;
    Amount predicted_ltv;
  };
  struct Profile {  // v1::CustomerProfile
    bool set = false;
    std::string customer_id;
    std::vector<std::string> emails, phones;
    // Sorted by key, keys unique (a map).
    std::vector<std::pair<std::string, std::string>> external_ids;
    std::string first_name, last_name;
    Orders orders;
    Returns returns;
    Support support;
    Email email;
    Checkout checkout;
    Traits traits;
    Time first_seen_at, last_event_at;
    int64_t events_applied = 0;
  };
  struct ClosedCheckout {  // v1::ClosedCheckout
    std::string token;
    int64_t at_micros = 0;
  };
  struct Timer {  // v1::RuleTimer
    std::string kind;
    int64_t due_micros = 0;
    std::string anchor_event_id;
    int64_t anchor_micros = 0;
    std::string ref;
  };
  struct Rules {  // v1::RulesState
    bool set = false;
    bool first_purchase_fired = false, vip_fired = false;
    int64_t last_marketing_micros = 0, last_refund_micros = 0;
    std::vector<int64_t> ticket_created_micros;
    int64_t last_escalation_micros = 0;
    std::vector<std::string> bad_rated_tickets, reviewed_orders;
    int64_t churn_armed_last_order_micros = 0;
    std::vector<Timer> timers;
    bool published_set = false;  // v1::PublishedBodies
    uint64_t published_crm = 0, published_esp_profile = 0, published_erp = 0;
  };

  Profile profile;
  int64_t first_seen_micros = 0, last_event_micros = 0, consent_at_micros = 0,
          checkout_updated_micros = 0, satisfaction_at_micros = 0,
          names_at_micros = 0;
  std::vector<ClosedCheckout> closed_checkouts;
  std::vector<std::string> identifier_keys;
  bool derived_id = false;
  Rules rules;
};

// Bytes of a v1::CustomerState into `out`, which starts over (rules too).
// InvalidArgument on bytes protobuf would not parse as one.
absl::Status DecodeCustomer(absl::string_view bytes, CustomerRecord* out);
// Bytes of a v1::RulesState into `out`, which starts over.
absl::Status DecodeRules(absl::string_view bytes, CustomerRecord::Rules* out);

// Appends `r` as a v1::CustomerState. With `with_rules` false, the profiles
// family's value as the processor has always written it (the digest covers
// those bytes): rules set but empty, since the rules family holds them.
void EncodeCustomer(const CustomerRecord& r, bool with_rules, std::string* out);
// Appends `r` as a v1::RulesState.
void EncodeRules(const CustomerRecord::Rules& r, std::string* out);

// The due time of the first timer in RulesState bytes (the processor keeps
// them earliest first: rules::NextDue), without decoding the rest; nullopt
// when there is none. InvalidArgument on bytes that do not parse.
absl::StatusOr<std::optional<int64_t>> FirstTimerDue(absl::string_view rules);

}  // namespace custhub::profile
