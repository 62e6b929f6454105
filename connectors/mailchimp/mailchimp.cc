#include "connectors/mailchimp/mailchimp.h"

#include <httplib.h>
#include <simdjson.h>

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "connectors/common/json_fields.h"
#include "connectors/common/normalize.h"
#include "src/common/time.h"

namespace custhub::connectors {
namespace {

namespace v1 = custhub::v1;

// The form's fields after percent-decoding ('+' is a space). A repeated key
// keeps its first value.
class Form {
 public:
  explicit Form(absl::string_view body) {
    httplib::detail::parse_query_text(std::string(body), params_);
  }

  // The trimmed value of `key`, empty when absent. Percent-decoding can
  // produce any bytes, so a value that is not UTF-8 is an error naming it.
  absl::StatusOr<std::string> Get(absl::string_view key) const {
    auto it = params_.find(std::string(key));
    if (it == params_.end()) return std::string();
    const std::string& value = it->second;
    if (!simdjson::validate_utf8(value.data(), value.size())) {
      return absl::InvalidArgumentError(absl::StrCat(key, ": not valid UTF-8"));
    }
    return std::string(absl::StripAsciiWhitespace(value));
  }

  absl::StatusOr<std::string> Required(absl::string_view key) const {
    auto value = Get(key);
    if (value.ok() && value->empty()) {
      return Missing(key);
    }
    return value;
  }

 private:
  httplib::Params params_;
};

enum class Type {
  kSubscribe,
  kUnsubscribe,
  kProfile,
  kUpemail,
  kCleaned,
  kCampaign
};

absl::StatusOr<Type> ParseType(absl::string_view type) {
  static constexpr std::pair<absl::string_view, Type> kTypes[] = {
      {"subscribe", Type::kSubscribe}, {"unsubscribe", Type::kUnsubscribe},
      {"profile", Type::kProfile},     {"upemail", Type::kUpemail},
      {"cleaned", Type::kCleaned},     {"campaign", Type::kCampaign}};
  for (const auto& [name, t] : kTypes) {
    if (name == type) return t;
  }
  return InvalidValue("type", type, "a mailchimp event type");
}

// Names and phone from the merge fields every audience has by default.
absl::Status AddMerges(const Form& form, const DecodeOptions& options,
                       v1::Event* e) {
  auto first = form.Get("data[merges][FNAME]");
  if (!first.ok()) return first.status();
  auto last = form.Get("data[merges][LNAME]");
  if (!last.ok()) return last.status();
  auto phone = form.Get("data[merges][PHONE]");
  if (!phone.ok()) return phone.status();
  e->set_first_name(*first);
  e->set_last_name(*last);
  // A merge field holds whatever the subscriber typed: an unparseable
  // phone is left out rather than failing the whole event.
  AddIdentifiers("", PhoneOrEmpty(*phone, options.default_phone_region),
                 "mailchimp", "", e);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<v1::Event>> DecodeMailchimp(
    const RawRecord& r, const DecodeOptions& options) {
  absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(r.body);
  if (!trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[')) {
    return absl::InvalidArgumentError(
        "body: expected application/x-www-form-urlencoded, got JSON");
  }
  Form form(r.body);
  auto type_name = form.Required("type");
  if (!type_name.ok()) return type_name.status();
  auto type = ParseType(*type_name);
  if (!type.ok()) return type.status();
  auto fired_at = form.Required("fired_at");
  if (!fired_at.ok()) return fired_at.status();
  auto when = ParseWebhookTime(*fired_at, "fired_at");
  if (!when.ok()) return when.status();

  std::vector<v1::Event> out;
  // A campaign was sent: no subscriber is involved.
  if (*type == Type::kCampaign) return out;

  v1::Event e;
  e.set_source("mailchimp");
  e.set_event_type(*type_name);
  e.set_occurred_at(FormatRfc3339(*when));
  v1::Identifiers* ids = e.mutable_identifiers();

  if (*type == Type::kUpemail) {
    auto old_email = form.Required("data[old_email]");
    if (!old_email.ok()) return old_email.status();
    auto new_email = form.Required("data[new_email]");
    if (!new_email.ok()) return new_email.status();
    // Both addresses in one event: identity resolution links them.
    ids->add_emails(*old_email);
    ids->add_emails(*new_email);
    e.mutable_customer();
    out.push_back(std::move(e));
    return out;
  }

  auto email = form.Required("data[email]");
  if (!email.ok()) return email.status();
  ids->add_emails(*email);
  auto merges = AddMerges(form, options, &e);
  if (!merges.ok()) return merges;
  auto reason = form.Get("data[reason]");
  if (!reason.ok()) return reason.status();
  auto campaign = form.Get("data[campaign_id]");
  if (!campaign.ok()) return campaign.status();

  switch (*type) {
    case Type::kSubscribe:
      e.mutable_consent()->set_state(v1::ConsentChange::SUBSCRIBED);
      break;
    case Type::kUnsubscribe:
      e.mutable_consent()->set_state(v1::ConsentChange::UNSUBSCRIBED);
      e.mutable_consent()->set_reason(*reason);
      break;
    case Type::kCleaned: {
      v1::EmailEngagement* eng = e.mutable_email();
      eng->set_kind(absl::AsciiStrToLower(*reason) == "abuse"
                        ? v1::EmailEngagement::SPAM_COMPLAINT
                        : v1::EmailEngagement::BOUNCED);
      eng->set_campaign(*campaign);
      break;
    }
    case Type::kProfile:
      e.mutable_customer();
      break;
    case Type::kUpemail:
    case Type::kCampaign:
      break;  // handled above
  }
  out.push_back(std::move(e));
  return out;
}

}  // namespace custhub::connectors
