// Marketing suppression, stream time and idempotency keys: the parts of the
// rules that read state but never change it.
#include <xxhash.h>

#include <cstdint>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "src/rules/rules.h"

namespace custhub::rules {

namespace v1 = custhub::v1;

Micros StreamTime(const RulesConfig& config, Micros max_event_time) {
  return max_event_time - absl::ToInt64Microseconds(config.allowed_lateness);
}

std::string MarketingSuppression(const RulesConfig& config,
                                 const v1::CustomerState& state, Micros at) {
  const auto& p = state.profile();
  switch (p.email().consent()) {
    case v1::EmailStats::SPAM_COMPLAINT:
      return std::string(kSuppressedSpamComplaint);
    case v1::EmailStats::BOUNCED:
      return std::string(kSuppressedBounced);
    case v1::EmailStats::UNSUBSCRIBED:
      return std::string(kSuppressedUnsubscribed);
    default:
      break;
  }
  if (p.support().open_tickets() > 0) {
    return std::string(kSuppressedOpenTicket);
  }
  const auto& r = state.rules();
  Micros refund_window = absl::ToInt64Microseconds(config.refund_suppression);
  if (refund_window > 0 && r.last_refund_micros() != 0 &&
      r.last_refund_micros() <= at &&
      at - r.last_refund_micros() < refund_window) {
    return std::string(kSuppressedRecentRefund);
  }
  Micros cap = absl::ToInt64Microseconds(config.frequency_cap);
  // Either side: a timer firing at its (earlier) due time after a newer
  // trigger went out is as close to it as one going out after it.
  if (cap > 0 && r.last_marketing_micros() != 0 &&
      std::llabs(at - r.last_marketing_micros()) < cap) {
    return std::string(kSuppressedFrequencyCap);
  }
  return "";
}

std::string IdempotencyKey(absl::string_view customer_id,
                           absl::string_view kind, absl::string_view cause) {
  // The bytes custhub::Digest hashes for these four fields (each after its
  // length as a native uint64), hashed in one call: the same key as
  // Digest{...}.Hex() without a streaming state and printf per trigger.
  // Keys must never change (tests/data/rules/determinism.scenario pins some).
  std::string bytes;
  bytes.reserve(4 * sizeof(uint64_t) + 18 + customer_id.size() + kind.size() +
                cause.size());
  for (absl::string_view field :
       {absl::string_view("custhub.trigger.v1"), customer_id, kind, cause}) {
    uint64_t len = field.size();
    bytes.append(reinterpret_cast<const char*>(&len), sizeof(len));
    bytes.append(field.data(), field.size());
  }
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return absl::StrCat(absl::Hex(h.high64, absl::kZeroPad16),
                      absl::Hex(h.low64, absl::kZeroPad16));
}

std::string EventRef(const v1::Event& event) {
  return absl::StrCat(event.source(), ":", event.event_id());
}

}  // namespace custhub::rules
