#include "src/gateway/signatures.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/common/status.h"

namespace custhub::gateway {
namespace {

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

absl::Status Denied(absl::string_view source, absl::string_view why) {
  return absl::PermissionDeniedError(absl::StrCat(source, " signature: ", why));
}

// Compares a base64 signature with the expected raw MAC.
absl::Status CheckBase64Mac(absl::string_view source, absl::string_view header,
                            const std::string& expected) {
  std::string given;
  if (header.empty()) return Denied(source, "missing");
  if (!absl::Base64Unescape(absl::StripAsciiWhitespace(header), &given)) {
    return Denied(source, "not base64");
  }
  if (!ConstantTimeEquals(given, expected)) return Denied(source, "mismatch");
  return absl::OkStatus();
}

absl::Status CheckEcdsa(absl::string_view source,
                        absl::string_view public_key_b64,
                        absl::string_view message, absl::string_view sig_b64) {
  std::string der, sig;
  if (sig_b64.empty()) return Denied(source, "missing");
  if (!absl::Base64Unescape(public_key_b64, &der)) {
    return absl::FailedPreconditionError(
        absl::StrCat(source, " public key: not base64 DER"));
  }
  if (!absl::Base64Unescape(absl::StripAsciiWhitespace(sig_b64), &sig)) {
    return Denied(source, "not base64");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())), EVP_PKEY_free);
  if (!key) {
    return absl::FailedPreconditionError(
        absl::StrCat(source, " public key: not a DER public key"));
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              EVP_MD_CTX_free);
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                           key.get()) != 1 ||
      EVP_DigestVerifyUpdate(ctx.get(), message.data(), message.size()) != 1) {
    return absl::InternalError("ECDSA verification could not start");
  }
  if (EVP_DigestVerifyFinal(ctx.get(),
                            reinterpret_cast<const unsigned char*>(sig.data()),
                            sig.size()) != 1) {
    return Denied(source, "mismatch");
  }
  return absl::OkStatus();
}

}  // namespace

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
       &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

absl::StatusOr<Micros> ParseSignatureTime(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  int64_t n = 0;
  if (absl::SimpleAtoi(text, &n)) {
    if (n < 0) return absl::InvalidArgumentError("negative timestamp");
    // 13 digits and more are milliseconds (seconds reach 13 digits in the
    // year 33658).
    if (text.size() >= 13) return n * 1000;
    return n * kMicrosPerSecond;
  }
  return ParseRfc3339(text);
}

namespace {

// After the MAC matched: refuses a timestamp outside the window.
absl::Status CheckFresh(absl::string_view source, absl::string_view ts,
                        const Freshness& freshness) {
  if (freshness.max_skew <= 0) return absl::OkStatus();
  absl::StatusOr<Micros> at = ParseSignatureTime(ts);
  if (!at.ok()) return Denied(source, "timestamp unreadable");
  Micros skew = *at > freshness.now ? *at - freshness.now : freshness.now - *at;
  if (skew > freshness.max_skew) {
    return Denied(source, absl::StrCat("timestamp ", ts, " is more than ",
                                       freshness.max_skew / kMicrosPerSecond,
                                       " s from now (replayed or clock skew)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status VerifyWebhook(absl::string_view source, const Secrets& secrets,
                           absl::string_view body, const HeaderLookup& header,
                           absl::string_view url_token,
                           const Freshness& freshness) {
  auto it = secrets.find(std::string(source));
  if (it == secrets.end() || it->second.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no secret configured for ", source));
  }
  const std::string& secret = it->second;
  if (source == "shopify") {
    return CheckBase64Mac(source, header("X-Shopify-Hmac-Sha256"),
                          HmacSha256(secret, body));
  }
  if (source == "woocommerce") {
    return CheckBase64Mac(source, header("X-WC-Webhook-Signature"),
                          HmacSha256(secret, body));
  }
  if (source == "zendesk") {
    std::string ts = header("X-Zendesk-Webhook-Signature-Timestamp");
    if (ts.empty()) return Denied(source, "timestamp missing");
    CUSTHUB_RETURN_IF_ERROR(
        CheckBase64Mac(source, header("X-Zendesk-Webhook-Signature"),
                       HmacSha256(secret, absl::StrCat(ts, body))));
    return CheckFresh(source, ts, freshness);
  }
  if (source == "klaviyo") {
    std::string ts = header("Klaviyo-Timestamp");
    std::string given = absl::AsciiStrToLower(
        absl::StripAsciiWhitespace(header("Klaviyo-Signature")));
    if (given.empty()) return Denied(source, "missing");
    std::string expected =
        absl::BytesToHexString(HmacSha256(secret, absl::StrCat(body, ts)));
    if (!ConstantTimeEquals(given, expected)) return Denied(source, "mismatch");
    if (ts.empty()) return absl::OkStatus();  // older deliveries sign none
    return CheckFresh(source, ts, freshness);
  }
  if (source == "sendgrid") {
    std::string ts = header("X-Twilio-Email-Event-Webhook-Timestamp");
    if (ts.empty()) return Denied(source, "timestamp missing");
    CUSTHUB_RETURN_IF_ERROR(
        CheckEcdsa(source, secret, absl::StrCat(ts, body),
                   header("X-Twilio-Email-Event-Webhook-Signature")));
    return CheckFresh(source, ts, freshness);
  }
  if (source == "mailchimp" || source == "gorgias" || source == "magento") {
    if (url_token.empty()) return Denied(source, "token missing from the URL");
    if (!ConstantTimeEquals(url_token, secret))
      return Denied(source, "bad token");
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("source: '", source, "' has no signature scheme"));
}

}  // namespace custhub::gateway
