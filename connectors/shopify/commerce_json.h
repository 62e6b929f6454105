// Field-by-field reading of commerce webhook JSON with simdjson On-Demand,
// shared by the Shopify, WooCommerce and Magento decoders. Every error names
// the JSON path that caused it ("line_items[2].quantity: ..."), because the
// message becomes the record's DLQ reason. Numbers are never read as doubles:
// money and ids come from the number's own token text.
//
//   absl::Status s = commerce::VisitBody(body, [&](absl::string_view key,
//                                                  commerce::JsonValue& v) {
//     if (key == "total_price") return commerce::ReadDecimal(v, key, &total);
//     return absl::OkStatus();  // unknown fields are skipped
//   });
//
// Lives beside the Shopify decoder for now; it belongs in connectors/common
// once that folder takes new files.
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
#include "src/common/money.h"
#include "src/common/time.h"

namespace custhub::connectors::commerce {

using JsonValue = simdjson::ondemand::value;
using FieldVisitor =
    absl::FunctionRef<absl::Status(absl::string_view key, JsonValue& value)>;
using ElementVisitor =
    absl::FunctionRef<absl::Status(const std::string& path, JsonValue& value)>;

// Parses `body` and calls `visit` for each field of its top-level object, in
// document order. "body: not valid JSON ..." for malformed input,
// "body: expected a JSON object" for any other top-level value. Not
// reentrant: `visit` must not call VisitBody.
absl::Status VisitBody(absl::string_view body, FieldVisitor visit);

// Calls `visit` for each field of the object `v`. A JSON null counts as an
// absent object (no call); any other non-object is "path: expected an object".
absl::Status VisitObject(JsonValue& v, absl::string_view path,
                         FieldVisitor visit);

// Calls `visit` with "path[i]" for each element of the array `v`. Null is an
// empty array; any other non-array is "path: expected an array".
absl::Status VisitArray(JsonValue& v, absl::string_view path,
                        ElementVisitor visit);

// "parent.key", or "key" at the top level.
std::string ChildPath(absl::string_view parent, absl::string_view key);

// The JSON type of `v` without consuming it; errors name `path`.
absl::StatusOr<simdjson::ondemand::json_type> TypeOf(JsonValue& v,
                                                     absl::string_view path);

// Scalar readers. Each leaves `*out` untouched for JSON null (the platforms
// send null for "not set") and fails naming `path` on a wrong type.

// A string. Empty strings are kept (callers treat them as absent).
absl::Status ReadString(JsonValue& v, absl::string_view path,
                        std::optional<std::string>* out);
// An id: a string, or an integer number kept as its exact digits (Shopify
// ids exceed 2^53).
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
// A time: ISO 8601 with an offset, Unix seconds (string or number), or
// "YYYY-MM-DD HH:MM:SS". With `assume_utc`, an ISO 8601 time without an
// offset ("2024-05-01T10:00:00", WooCommerce's *_gmt fields) is taken as UTC.
absl::Status ReadTime(JsonValue& v, absl::string_view path, bool assume_utc,
                      std::optional<Micros>* out);

// The currency code read from `path`: "path: missing" when absent or empty,
// "path: ... is not an ISO 4217 code" when malformed.
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

// The first candidate that parses as a phone, in E.164; "" if none does.
// An unparseable phone is left out rather than failing the event: the
// platforms do not validate what shoppers type.
std::string FirstPhone(
    std::initializer_list<const std::optional<std::string>*> candidates,
    absl::string_view default_region);

// The first non-empty candidate, or "".
std::string FirstNonEmpty(
    std::initializer_list<const std::optional<std::string>*> candidates);

// Event building shared by the commerce decoders.

// RFC 3339 UTC, or "" when unset.
std::string TimeOrEmpty(const std::optional<Micros>& t);

// The event time: the first of `times` that is set, else the record's own
// timestamp; "" when neither exists (validation then names occurred_at).
std::string OccurredAt(
    std::initializer_list<const std::optional<Micros>*> times,
    const RawRecord& r);

void SetMoney(const Money& m, custhub::v1::Money* out);

}  // namespace custhub::connectors::commerce
