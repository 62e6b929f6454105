// Field-by-field reading of webhook JSON with simdjson On-Demand, and the
// error and event-building helpers every decoder shares. Every error is
// InvalidArgument and starts with the JSON path that caused it
// ("line_items[2].quantity: ..."), because the message becomes the record's
// DLQ reason. JSON null is absent: readers leave their output untouched.
// Numbers are never read as doubles: money and ids come from the number's
// own token text.
//
//   std::optional<std::string> total;
//   absl::Status s = VisitBody(body, [&](absl::string_view key,
//                                        JsonValue& v) {
//     if (key == "total_price") return ReadDecimal(v, key, &total);
//     return absl::OkStatus();  // unknown fields are skipped
//   });
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "connectors/common/record.h"
#include "custhub/v1/common.pb.h"
#include "custhub/v1/event.pb.h"
#include "src/common/money.h"
#include "src/common/time.h"

namespace custhub::connectors {

using JsonValue = simdjson::ondemand::value;
using JsonType = simdjson::ondemand::json_type;
using FieldVisitor =
    absl::FunctionRef<absl::Status(absl::string_view key, JsonValue& value)>;
using ElementVisitor =
    absl::FunctionRef<absl::Status(absl::string_view path, JsonValue& value)>;

// The path of a field ("line_items[2].quantity"), for error messages.
// Decoders make one for every field they visit but read it only on failure,
// so it lives on the stack; only paths longer than kInline bytes allocate.
// Keep it in a JsonPath variable: a string_view of a temporary dangles.
class JsonPath {
 public:
  // "parent.key", or "key" at the top level.
  JsonPath(absl::string_view parent, absl::string_view key);
  // "parent[index]".
  JsonPath(absl::string_view parent, size_t index);

  operator absl::string_view() const {
    return size_ <= kInline ? absl::string_view(inline_, size_) : long_;
  }

 private:
  static constexpr size_t kInline = 96;
  // Sets the path to a + b + c + d.
  void Assign(absl::string_view a, absl::string_view b = "",
              absl::string_view c = "", absl::string_view d = "");

  size_t size_ = 0;
  char inline_[kInline];
  std::string long_;  // the path when it is longer than kInline
};

// ---- Errors (InvalidArgument, starting with the field path).

// "path: missing".
absl::Status Missing(absl::string_view path);
// "path: expected <expected>, got <a number|a string|...>".
absl::Status WrongType(absl::string_view path, absl::string_view expected,
                       JsonType got);
// "path: '<value>' is not <what>"; the value is C-escaped and cut at 64
// bytes, so a hostile payload cannot flood or break the DLQ reason.
absl::Status InvalidValue(absl::string_view path, absl::string_view value,
                          absl::string_view what);
// "event-type: '<event_type>' is not a <source> event type".
absl::Status UnknownEventType(absl::string_view source,
                              absl::string_view event_type);
// "an array", "an object", "a number", "a string", "a boolean", "null".
const char* JsonTypeName(JsonType t);

// ---- Walking the document.

// Parses `body` and calls `visit` for each field of its top-level object, in
// document order. "body: not valid JSON ..." for malformed input (or content
// after the object), "body: expected a JSON object, got ..." for any other
// top-level value. Not reentrant: `visit` must not call VisitBody.
absl::Status VisitBody(absl::string_view body, FieldVisitor visit);

// As VisitBody for a body whose top level is an array: calls `visit` with
// "[i]" for each element. Any other top-level value is
// "body: expected <what>, got ...".
absl::Status VisitBodyArray(absl::string_view body, absl::string_view what,
                            ElementVisitor visit);

// Calls `visit` for each field of the object `v`. A JSON null counts as an
// absent object (no call); any other non-object is "path: expected an
// object, got ...".
absl::Status VisitObject(JsonValue& v, absl::string_view path,
                         FieldVisitor visit);

// Calls `visit` with "path[i]" for each element of the array `v`. Null is an
// empty array; any other non-array is "path: expected an array, got ...".
absl::Status VisitArray(JsonValue& v, absl::string_view path,
                        ElementVisitor visit);

// "parent.key", or "key" at the top level.
inline JsonPath ChildPath(absl::string_view parent, absl::string_view key) {
  return JsonPath(parent, key);
}

// The JSON type of `v` without consuming it; a null is checked to really be
// `null`. Errors name `path`.
absl::StatusOr<JsonType> TypeOf(JsonValue& v, absl::string_view path);

// ---- Scalars. Each leaves `*out` untouched for JSON null (the platforms
// send null for "not set") and fails naming `path` on a wrong type.

// A string. Empty strings are kept (callers treat them as absent).
absl::Status ReadString(JsonValue& v, absl::string_view path,
                        std::optional<std::string>* out);
absl::Status ReadString(JsonValue& v, absl::string_view path, std::string* out);
// An id: a string (trimmed), or an integer number kept as its exact digits
// (Shopify ids exceed 2^53).
absl::Status ReadId(JsonValue& v, absl::string_view path,
                    std::optional<std::string>* out);
// A decimal amount: a string, or a number's raw token text, ready for
// MoneyFromToken.
absl::Status ReadDecimal(JsonValue& v, absl::string_view path,
                         std::optional<std::string>* out);
// true/false, and the 0/1 and "0"/"1" that Magento sends for flags.
absl::Status ReadBool(JsonValue& v, absl::string_view path,
                      std::optional<bool>* out);
// A non-negative item quantity: an integer, or a decimal such as Magento's
// "2.0000". A fractional quantity (goods sold by weight) counts as the whole
// items it spans, rounded up.
absl::Status ReadCount(JsonValue& v, absl::string_view path,
                       std::optional<int64_t>* out);

// What ReadTime accepts, as a string or a number.
enum class TimeFormat {
  // ISO 8601 with an offset, Unix seconds, or "YYYY-MM-DD HH:MM:SS" (UTC).
  // An empty string is absent (WooCommerce's "not yet").
  kWebhook,
  // As kWebhook, and an ISO 8601 time without an offset
  // ("2024-05-01T10:00:00", WooCommerce's *_gmt fields) is taken as UTC.
  kWebhookUtc,
  // Unix seconds only (digits, maybe with a fraction), as SendGrid sends.
  kUnixSeconds,
};
absl::Status ReadTime(JsonValue& v, absl::string_view path, TimeFormat format,
                      std::optional<Micros>* out);

// Adds `n` items to `*total`; "path: more than kMaxItems items" beyond it.
absl::Status AddItems(int64_t n, absl::string_view path, int64_t* total);
// Adds the `key` quantity (ReadCount) of each element of the array `v` of
// objects to `*total`, as AddItems.
absl::Status SumQuantities(JsonValue& v, absl::string_view path,
                           absl::string_view key, int64_t* total);

// ---- Money.

// The currency code read from `path`: "path: missing" when absent or empty,
// "path: '...' is not an ISO 4217 code" when malformed.
absl::StatusOr<std::string> RequireCurrency(
    const std::optional<std::string>& currency, absl::string_view path);

// Exact money from a decimal read by ReadDecimal: "path: missing" when
// absent; other errors name `path` too.
absl::StatusOr<Money> ToMoney(const std::optional<std::string>& amount,
                              absl::string_view currency,
                              absl::string_view path,
                              bool allow_negative = false);

// Adds `m` to `*sum`; errors name `path`.
absl::Status AddTo(const Money& m, absl::string_view path, Money* sum);

void SetMoney(const Money& m, custhub::v1::Money* out);

// ---- Building the event.

// An event of `source` with the record's event type.
custhub::v1::Event NewEvent(absl::string_view source, const RawRecord& r);

// `raw` in E.164, or "" when it is blank or does not parse. An unparseable
// phone is left out rather than failing the event: the platforms do not
// validate what people type.
std::string PhoneOrEmpty(absl::string_view raw,
                         absl::string_view default_region);

// The first candidate that parses as a phone, in E.164; "" if none does.
std::string FirstPhone(
    std::initializer_list<const std::optional<std::string>*> candidates,
    absl::string_view default_region);

// The first non-blank candidate, trimmed, or "".
std::string FirstNonEmpty(
    std::initializer_list<const std::optional<std::string>*> candidates);

// Adds to the event's identifiers the email, the phone (already E.164) and
// external_ids{source: external_id}, each only when not blank.
void AddIdentifiers(absl::string_view email, absl::string_view phone,
                    absl::string_view source, absl::string_view external_id,
                    custhub::v1::Event* e);

// Sets first_name and last_name as a pair from (first, last) when either is
// set, else from (other_first, other_last): names are never mixed across
// people.
void SetNames(const std::optional<std::string>& first,
              const std::optional<std::string>& last,
              const std::optional<std::string>& other_first,
              const std::optional<std::string>& other_last,
              custhub::v1::Event* e);

// RFC 3339 UTC, or "" when unset.
std::string TimeOrEmpty(const std::optional<Micros>& t);

// The event time: the first of `times` that is set, else the record's own
// timestamp; "" when neither exists (validation then names occurred_at).
std::string OccurredAt(
    std::initializer_list<const std::optional<Micros>*> times,
    const RawRecord& r);

}  // namespace custhub::connectors
