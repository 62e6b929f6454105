#include "connectors/common/json_fields.h"

#include <cstring>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "connectors/common/normalize.h"
#include "connectors/common/validate.h"

namespace custhub::connectors {
namespace {

namespace od = simdjson::ondemand;

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
absl::string_view TokenOf(JsonValue& v) {
  return absl::StripTrailingAsciiWhitespace(View(v.raw_json_token()));
}

// The unescaped string, in the parser's buffer: valid until the next body.
absl::StatusOr<absl::string_view> StringOf(JsonValue& v,
                                           absl::string_view path) {
  std::string_view sv;
  if (auto e = v.get_string().get(sv)) return JsonError(e, path);
  return View(sv);
}

// The text of a string or number (its token), valid until the next body;
// other types are WrongType.
absl::StatusOr<absl::string_view> TextOf(JsonValue& v, JsonType t,
                                         absl::string_view path,
                                         absl::string_view expected) {
  if (t == JsonType::string) return StringOf(v, path);
  if (t == JsonType::number) return TokenOf(v);
  return WrongType(path, expected, t);
}

absl::Status IterateFields(od::object& obj, absl::string_view path,
                           FieldVisitor visit) {
  for (auto field_result : obj) {
    od::field field;
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

// Parses `body`, checks that its top level is `want`, and calls `visit`
// with it. On-Demand stops at the end of that value; anything after it is
// refused.
absl::Status VisitTop(absl::string_view body, JsonType want,
                      absl::string_view what,
                      absl::FunctionRef<absl::Status(JsonValue&)> visit) {
  // One parser and one padded copy of the body per thread: their buffers
  // are reused across records.
  thread_local od::parser parser;
  thread_local std::string padded;
  padded.assign(body.data(), body.size());
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  od::document doc;
  if (auto e = parser
                   .iterate(simdjson::padded_string_view(
                       padded.data(), body.size(), padded.size()))
                   .get(doc)) {
    return JsonError(e, "");
  }
  JsonType t;
  if (auto e = doc.type().get(t)) return JsonError(e, "");
  if (t != want) return WrongType("body", what, t);
  JsonValue root;
  if (auto e = doc.get_value().get(root)) return JsonError(e, "");
  absl::Status s = visit(root);
  if (!s.ok()) return s;
  const char* rest = nullptr;
  if (!doc.current_location().get(rest)) {
    return absl::InvalidArgumentError(
        "body: not valid JSON (content after the top-level value)");
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

absl::Status Missing(absl::string_view path) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": missing"));
}

absl::Status WrongType(absl::string_view path, absl::string_view expected,
                       JsonType got) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": expected ", expected, ", got ", JsonTypeName(got)));
}

absl::Status InvalidValue(absl::string_view path, absl::string_view value,
                          absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": '", absl::CHexEscape(value.substr(0, 64)), "' is not ", what));
}

absl::Status UnknownEventType(absl::string_view source,
                              absl::string_view event_type) {
  return InvalidValue("event-type", event_type,
                      absl::StrCat("a ", source, " event type"));
}

const char* JsonTypeName(JsonType t) {
  switch (t) {
    case JsonType::array:
      return "an array";
    case JsonType::object:
      return "an object";
    case JsonType::number:
      return "a number";
    case JsonType::string:
      return "a string";
    case JsonType::boolean:
      return "a boolean";
    case JsonType::null:
      return "null";
  }
  return "an unknown type";
}

JsonPath::JsonPath(absl::string_view parent, absl::string_view key) {
  if (parent.empty()) {
    Assign(key);
  } else {
    Assign(parent, ".", key);
  }
}

JsonPath::JsonPath(absl::string_view parent, size_t index) {
  absl::AlphaNum digits(index);
  Assign(parent, "[", digits.Piece(), "]");
}

void JsonPath::Assign(absl::string_view a, absl::string_view b,
                      absl::string_view c, absl::string_view d) {
  size_ = a.size() + b.size() + c.size() + d.size();
  if (size_ > kInline) {
    long_ = absl::StrCat(a, b, c, d);
    return;
  }
  char* out = inline_;
  for (absl::string_view piece : {a, b, c, d}) {
    if (piece.empty()) continue;  // its data() may be null
    std::memcpy(out, piece.data(), piece.size());
    out += piece.size();
  }
}

absl::StatusOr<JsonType> TypeOf(JsonValue& v, absl::string_view path) {
  JsonType t;
  if (auto e = v.type().get(t)) return JsonError(e, path);
  // type() looks at the first byte only; checked without consuming the
  // value, so callers may still read it.
  if (t == JsonType::null && TokenOf(v) != "null") {
    return JsonError(simdjson::N_ATOM_ERROR, path);
  }
  return t;
}

absl::Status VisitBody(absl::string_view body, FieldVisitor visit) {
  return VisitTop(
      body, JsonType::object, "a JSON object",
      [&](JsonValue& root) { return VisitObject(root, "", visit); });
}

absl::Status VisitBodyArray(absl::string_view body, absl::string_view what,
                            ElementVisitor visit) {
  return VisitTop(body, JsonType::array, what,
                  [&](JsonValue& root) { return VisitArray(root, "", visit); });
}

absl::Status VisitObject(JsonValue& v, absl::string_view path,
                         FieldVisitor visit) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == JsonType::null) return absl::OkStatus();
  if (*t != JsonType::object) return WrongType(path, "an object", *t);
  od::object obj;
  if (auto e = v.get_object().get(obj)) return JsonError(e, path);
  return IterateFields(obj, path, visit);
}

absl::Status VisitArray(JsonValue& v, absl::string_view path,
                        ElementVisitor visit) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == JsonType::null) return absl::OkStatus();
  if (*t != JsonType::array) return WrongType(path, "an array", *t);
  od::array arr;
  if (auto e = v.get_array().get(arr)) return JsonError(e, path);
  size_t index = 0;
  for (auto element_result : arr) {
    JsonPath element_path(path, index);
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
  if (*t == JsonType::null) return absl::OkStatus();
  if (*t != JsonType::string) return WrongType(path, "a string", *t);
  auto s = StringOf(v, path);
  if (!s.ok()) return s.status();
  out->emplace(*s);
  return absl::OkStatus();
}

absl::Status ReadString(JsonValue& v, absl::string_view path,
                        std::string* out) {
  std::optional<std::string> s;
  absl::Status status = ReadString(v, path, &s);
  if (status.ok() && s.has_value()) *out = *std::move(s);
  return status;
}

absl::Status ReadId(JsonValue& v, absl::string_view path,
                    std::optional<std::string>* out) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == JsonType::null) return absl::OkStatus();
  auto text = TextOf(v, *t, path, "a string or an integer");
  if (!text.ok()) return text.status();
  if (*t == JsonType::number && !AllDigits(*text)) {
    return InvalidValue(path, *text, "an integer id");
  }
  out->emplace(absl::StripAsciiWhitespace(*text));
  return absl::OkStatus();
}

absl::Status ReadDecimal(JsonValue& v, absl::string_view path,
                         std::optional<std::string>* out) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == JsonType::null) return absl::OkStatus();
  auto text = TextOf(v, *t, path, "a decimal amount (string or number)");
  if (!text.ok()) return text.status();
  out->emplace(*text);
  return absl::OkStatus();
}

absl::Status ReadBool(JsonValue& v, absl::string_view path,
                      std::optional<bool>* out) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == JsonType::null) return absl::OkStatus();
  if (*t == JsonType::boolean) {
    bool b;
    if (auto e = v.get_bool().get(b)) return JsonError(e, path);
    *out = b;
    return absl::OkStatus();
  }
  auto text = TextOf(v, *t, path, "a boolean");
  if (!text.ok()) return text.status();
  if (*text == "1" || *text == "true") {
    *out = true;
  } else if (*text == "0" || *text == "false" || text->empty()) {
    *out = false;
  } else {
    return InvalidValue(path, *text, "a boolean");
  }
  return absl::OkStatus();
}

absl::Status ReadCount(JsonValue& v, absl::string_view path,
                       std::optional<int64_t>* out) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == JsonType::null) return absl::OkStatus();
  auto text = TextOf(v, *t, path, "a quantity (number)");
  if (!text.ok()) return text.status();
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
    return InvalidValue(path, q, "a non-negative quantity");
  }
  int64_t n = 0;
  for (char c : whole) n = n * 10 + (c - '0');
  if (frac.find_first_not_of('0') != absl::string_view::npos) ++n;
  *out = n;
  return absl::OkStatus();
}

absl::Status ReadTime(JsonValue& v, absl::string_view path, TimeFormat format,
                      std::optional<Micros>* out) {
  auto t = TypeOf(v, path);
  if (!t.ok()) return t.status();
  if (*t == JsonType::null) return absl::OkStatus();
  const bool unix_seconds = format == TimeFormat::kUnixSeconds;
  auto raw =
      TextOf(v, *t, path, unix_seconds ? "Unix seconds" : "a time string");
  if (!raw.ok()) return raw.status();
  absl::string_view text = absl::StripAsciiWhitespace(*raw);
  if (unix_seconds) {
    bool numeric = !text.empty();
    for (char c : text)
      numeric = numeric && (absl::ascii_isdigit(c) || c == '.');
    if (!numeric) return InvalidValue(path, text, "a Unix time in seconds");
  } else if (text.empty()) {
    return absl::OkStatus();
  }
  std::string utc;  // text with a "Z" appended, when it needs one
  if (format == TimeFormat::kWebhookUtc && text.size() >= 19 &&
      (text[10] == 'T' || text[10] == ' ') &&
      text.find_first_of("Zz+-", 19) == absl::string_view::npos) {
    utc = absl::StrCat(text, "Z");
    text = utc;
  }
  auto micros = ParseWebhookTime(text, path);
  if (!micros.ok()) return micros.status();
  *out = *micros;
  return absl::OkStatus();
}

absl::Status AddItems(int64_t n, absl::string_view path, int64_t* total) {
  *total += n;
  if (*total > kMaxItems) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": more than ", kMaxItems, " items"));
  }
  return absl::OkStatus();
}

absl::Status SumQuantities(JsonValue& v, absl::string_view path,
                           absl::string_view key, int64_t* total) {
  return VisitArray(v, path, [&](absl::string_view item, JsonValue& element) {
    return VisitObject(element, item, [&](absl::string_view k, JsonValue& f) {
      if (k != key) return absl::OkStatus();
      std::optional<int64_t> q;
      absl::Status s = ReadCount(f, ChildPath(item, k), &q);
      if (!s.ok() || !q.has_value()) return s;
      return AddItems(*q, path, total);
    });
  });
}

absl::StatusOr<std::string> RequireCurrency(
    const std::optional<std::string>& currency, absl::string_view path) {
  if (!currency.has_value() || currency->empty()) return Missing(path);
  if (!CurrencyExponent(*currency).ok()) {
    return InvalidValue(path, *currency, "an ISO 4217 code");
  }
  return *currency;
}

absl::StatusOr<Money> ToMoney(const std::optional<std::string>& amount,
                              absl::string_view currency,
                              absl::string_view path, bool allow_negative) {
  if (!amount.has_value()) return Missing(path);
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

void SetMoney(const Money& m, custhub::v1::Money* out) {
  out->set_minor(m.minor);
  out->set_currency(m.currency);
}

custhub::v1::Event NewEvent(absl::string_view source, const RawRecord& r) {
  custhub::v1::Event e;
  e.set_source(std::string(source));
  e.set_event_type(std::string(r.event_type));
  return e;
}

std::string PhoneOrEmpty(absl::string_view raw,
                         absl::string_view default_region) {
  if (absl::StripAsciiWhitespace(raw).empty()) return "";
  auto e164 = PhoneToE164(raw, default_region);
  return e164.ok() ? *std::move(e164) : std::string();
}

std::string FirstPhone(
    std::initializer_list<const std::optional<std::string>*> candidates,
    absl::string_view default_region) {
  for (const auto* c : candidates) {
    if (c == nullptr || !c->has_value()) continue;
    std::string e164 = PhoneOrEmpty(**c, default_region);
    if (!e164.empty()) return e164;
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

void AddIdentifiers(absl::string_view email, absl::string_view phone,
                    absl::string_view source, absl::string_view external_id,
                    custhub::v1::Event* e) {
  auto blank = [](absl::string_view s) {
    return absl::StripAsciiWhitespace(s).empty();
  };
  custhub::v1::Identifiers* ids = e->mutable_identifiers();
  if (!blank(email)) ids->add_emails(std::string(email));
  if (!blank(phone)) ids->add_phones(std::string(phone));
  if (!blank(external_id)) {
    (*ids->mutable_external_ids())[std::string(source)] =
        std::string(external_id);
  }
}

void SetNames(const std::optional<std::string>& first,
              const std::optional<std::string>& last,
              const std::optional<std::string>& other_first,
              const std::optional<std::string>& other_last,
              custhub::v1::Event* e) {
  const bool own = !FirstNonEmpty({&first, &last}).empty();
  e->set_first_name(FirstNonEmpty({own ? &first : &other_first}));
  e->set_last_name(FirstNonEmpty({own ? &last : &other_last}));
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

}  // namespace custhub::connectors
