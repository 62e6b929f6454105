#include "connectors/shopify/commerce_json.h"

#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "connectors/common/normalize.h"

namespace custhub::connectors::commerce {
namespace {

using simdjson::ondemand::json_type;

absl::string_view View(std::string_view sv) {
  return absl::string_view(sv.data(), sv.size());
}

// Wrong types name the field; anything else means the text is not JSON.
absl::Status JsonError(simdjson::error_code e, absl::string_view path) {
  if (e == simdjson::INCORRECT_TYPE) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": wrong JSON type"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("body: not valid JSON", path.empty() ? "" : " at ", path,
                   " (", simdjson::error_message(e), ")"));
}

// The token text of a scalar, without the whitespace simdjson keeps after it.
absl::StatusOr<absl::string_view> TokenOf(JsonValue& v,
                                          absl::string_view path) {
  return absl::StripTrailingAsciiWhitespace(View(v.raw_json_token()));
}

absl::StatusOr<std::string> StringOf(JsonValue& v, absl::string_view path) {
  std::string_view sv;
  if (auto e = v.get_string().get(sv)) return JsonError(e, path);
  return std::string(sv);
}

absl::Status WrongType(absl::string_view path, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": expected ", expected));
}

absl::Status IterateFields(simdjson::ondemand::object& obj,
                           absl::string_view path, FieldVisitor visit) {
  for (auto field_result : obj) {
    simdjson::ondemand::field field;
    if (auto e = std::move(field_result).get(field)) {
      return JsonError(e, path);
    }
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return JsonError(e, path);
    absl::Status s = visit(View(key), field.value());
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

}  // namespace

std::string ChildPath(absl::string_view parent, absl::string_view key) {
  return parent.empty() ? std::string(key) : absl::StrCat(parent, ".", key);
}

absl::StatusOr<json_type> TypeOf(JsonValue& v, absl::string_view path) {
  json_type t;
  if (auto e = v.type().get(t)) return JsonError(e, path);
  return t;
}

absl::Status VisitBody(absl::string_view body, FieldVisitor visit) {
  // One parser per thread: its buffers are reused across records.
  thread_local simdjson::ondemand::parser parser;
  simdjson::padded_string padded(body.data(), body.size());
  simdjson::ondemand::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return JsonError(e, "");
  json_type t;
  if (auto e = doc.type().get(t)) return JsonError(e, "");
  if (t != json_type::object) {
    return absl::InvalidArgumentError("body: expected a JSON object");
  }
  simdjson::ondemand::object obj;
  if (auto e = doc.get_object().get(obj)) return JsonError(e, "");
  absl::Status s = IterateFields(obj, "", visit);
  if (!s.ok()) return s;
  // On-Demand stops at the end of the object; anything after it is garbage.
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) {
    return absl::InvalidArgumentError(
        "body: not valid JSON (content after the top-level object)");
  }
  return absl::OkStatus();
}

absl::Status VisitObject(JsonValue& v, absl::string_view path,
                         FieldVisitor visit) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == json_type::null) return absl::OkStatus();
  if (*t != json_type::object) return WrongType(path, "an object");
  simdjson::ondemand::object obj;
  if (auto e = v.get_object().get(obj)) return JsonError(e, path);
  return IterateFields(obj, path, visit);
}

absl::Status VisitArray(JsonValue& v, absl::string_view path,
                        ElementVisitor visit) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == json_type::null) return absl::OkStatus();
  if (*t != json_type::array) return WrongType(path, "an array");
  simdjson::ondemand::array arr;
  if (auto e = v.get_array().get(arr)) return JsonError(e, path);
  size_t index = 0;
  for (auto element_result : arr) {
    std::string element_path = absl::StrCat(path, "[", index, "]");
    JsonValue element;
    if (auto e = std::move(element_result).get(element)) {
      return JsonError(e, element_path);
    }
    absl::Status s = visit(element_path, element);
    if (!s.ok()) return s;
    ++index;
  }
  return absl::OkStatus();
}

absl::Status ReadString(JsonValue& v, absl::string_view path,
                        std::optional<std::string>* out) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == json_type::null) return absl::OkStatus();
  if (*t != json_type::string) return WrongType(path, "a string");
  auto s = StringOf(v, path);
  if (!s.ok()) return s.status();
  *out = *std::move(s);
  return absl::OkStatus();
}

absl::Status ReadId(JsonValue& v, absl::string_view path,
                    std::optional<std::string>* out) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == json_type::null) return absl::OkStatus();
  if (*t == json_type::string) {
    auto s = StringOf(v, path);
    if (!s.ok()) return s.status();
    *out = std::string(absl::StripAsciiWhitespace(*s));
    return absl::OkStatus();
  }
  if (*t != json_type::number) return WrongType(path, "a string or integer id");
  auto token = TokenOf(v, path);
  if (!token.ok()) return token.status();
  if (!AllDigits(*token)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": '", *token, "' is not an integer id"));
  }
  *out = std::string(*token);
  return absl::OkStatus();
}

absl::Status ReadDecimal(JsonValue& v, absl::string_view path,
                         std::optional<std::string>* out) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == json_type::null) return absl::OkStatus();
  if (*t == json_type::string) {
    auto s = StringOf(v, path);
    if (!s.ok()) return s.status();
    *out = *std::move(s);
    return absl::OkStatus();
  }
  if (*t != json_type::number) {
    return WrongType(path, "a decimal amount (string or number)");
  }
  auto token = TokenOf(v, path);
  if (!token.ok()) return token.status();
  *out = std::string(*token);
  return absl::OkStatus();
}

absl::Status ReadBool(JsonValue& v, absl::string_view path,
                      std::optional<bool>* out) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  switch (*t) {
    case json_type::null:
      return absl::OkStatus();
    case json_type::boolean: {
      bool b;
      if (auto e = v.get_bool().get(b)) return JsonError(e, path);
      *out = b;
      return absl::OkStatus();
    }
    case json_type::number:
    case json_type::string: {
      absl::StatusOr<std::string> text;
      if (*t == json_type::string) {
        text = StringOf(v, path);
      } else {
        auto token = TokenOf(v, path);
        if (!token.ok()) return token.status();
        text = std::string(*token);
      }
      if (!text.ok()) return text.status();
      if (*text == "1" || *text == "true") {
        *out = true;
        return absl::OkStatus();
      }
      if (*text == "0" || *text == "false" || text->empty()) {
        *out = false;
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": '", *text, "' is not a boolean"));
    }
    default:
      return WrongType(path, "a boolean");
  }
}

absl::Status ReadCount(JsonValue& v, absl::string_view path,
                       std::optional<int64_t>* out) {
  std::optional<std::string> text;
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t != json_type::null && *t != json_type::number &&
      *t != json_type::string) {
    return WrongType(path, "a quantity (number)");
  }
  absl::Status s = ReadDecimal(v, path, &text);
  if (!s.ok() || !text.has_value()) return s;
  absl::string_view q = absl::StripAsciiWhitespace(*text);
  absl::string_view whole = q;
  absl::string_view frac;
  if (size_t dot = q.find('.'); dot != absl::string_view::npos) {
    whole = q.substr(0, dot);
    frac = q.substr(dot + 1);
  }
  // Nine digits is far beyond kMaxItems; validation reports the range.
  if (!AllDigits(whole) || whole.size() > 9 ||
      (!frac.empty() && !AllDigits(frac))) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": '", q, "' is not a non-negative quantity"));
  }
  int64_t n = 0;
  for (char c : whole) n = n * 10 + (c - '0');
  if (frac.find_first_not_of('0') != absl::string_view::npos) ++n;
  *out = n;
  return absl::OkStatus();
}

absl::Status ReadTime(JsonValue& v, absl::string_view path, bool assume_utc,
                      std::optional<Micros>* out) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == json_type::null) return absl::OkStatus();
  std::string text;
  if (*t == json_type::string) {
    auto s = StringOf(v, path);
    if (!s.ok()) return s.status();
    text = std::string(absl::StripAsciiWhitespace(*s));
    if (text.empty()) return absl::OkStatus();  // WooCommerce's "not yet"
  } else if (*t == json_type::number) {
    auto token = TokenOf(v, path);
    if (!token.ok()) return token.status();
    text = std::string(*token);
  } else {
    return WrongType(path, "a time string");
  }
  if (assume_utc && text.size() >= 19 && (text[10] == 'T' || text[10] == ' ') &&
      text.find_first_of("Zz+-", 19) == std::string::npos) {
    text += "Z";
  }
  auto micros = ParseWebhookTime(text, path);
  if (!micros.ok()) return micros.status();
  *out = *micros;
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequireCurrency(
    const std::optional<std::string>& currency, absl::string_view path) {
  if (!currency.has_value() || currency->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": missing"));
  }
  if (!CurrencyExponent(*currency).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": '", *currency, "' is not an ISO 4217 code"));
  }
  return *currency;
}

absl::StatusOr<Money> ToMoney(const std::optional<std::string>& amount,
                              absl::string_view currency,
                              absl::string_view path, bool allow_negative) {
  if (!amount.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": missing"));
  }
  return MoneyFromToken(*amount, currency, path, allow_negative);
}

absl::Status AddTo(const Money& m, absl::string_view path, Money* sum) {
  auto total = AddMoney(*sum, m);
  if (!total.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", total.status().message()));
  }
  *sum = *std::move(total);
  return absl::OkStatus();
}

std::string FirstPhone(
    std::initializer_list<const std::optional<std::string>*> candidates,
    absl::string_view default_region) {
  for (const auto* c : candidates) {
    if (c == nullptr || !c->has_value()) continue;
    if (absl::StripAsciiWhitespace(**c).empty()) continue;
    auto e164 = PhoneToE164(**c, default_region);
    if (e164.ok()) return *std::move(e164);
  }
  return "";
}

std::string FirstNonEmpty(
    std::initializer_list<const std::optional<std::string>*> candidates) {
  for (const auto* c : candidates) {
    if (c == nullptr || !c->has_value()) continue;
    absl::string_view s = absl::StripAsciiWhitespace(**c);
    if (!s.empty()) return std::string(s);
  }
  return "";
}

std::string TimeOrEmpty(const std::optional<Micros>& t) {
  return t.has_value() ? FormatRfc3339(*t) : std::string();
}

std::string OccurredAt(
    std::initializer_list<const std::optional<Micros>*> times,
    const RawRecord& r) {
  for (const std::optional<Micros>* t : times) {
    if (t->has_value()) return FormatRfc3339(**t);
  }
  if (r.timestamp_ms >= 0) return FormatRfc3339(r.timestamp_ms * 1000);
  return "";
}

void SetMoney(const Money& m, custhub::v1::Money* out) {
  out->set_minor(m.minor);
  out->set_currency(m.currency);
}

}  // namespace custhub::connectors::commerce
