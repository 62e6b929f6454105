#include "src/gateway/signatures.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

using namespace custhub::gateway;

namespace {

HeaderLookup Headers(std::map<std::string, std::string> h) {
  return [h = std::move(h)](absl::string_view name) {
    auto it = h.find(std::string(name));
    return it == h.end() ? std::string() : it->second;
  };
}

const std::string kBody =
    R"({"id":820982911946154508,"email":"jon@example.com"})";

}  // namespace

TEST_CASE("HMAC-SHA256 matches the RFC 4231 test vector", "[gateway]") {
  std::string key(20, '\x0b');
  CHECK(absl::BytesToHexString(HmacSha256(key, "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST_CASE("Shopify and WooCommerce bodies verify by base64 HMAC of the body",
          "[gateway]") {
  Secrets secrets{{"shopify", "shpss_secret"}, {"woocommerce", "wc_secret"}};
  std::string good = absl::Base64Escape(HmacSha256("shpss_secret", kBody));
  CHECK(VerifyWebhook("shopify", secrets, kBody,
                      Headers({{"X-Shopify-Hmac-Sha256", good}}), "")
            .ok());
  auto tampered = VerifyWebhook("shopify", secrets, kBody + " ",
                                Headers({{"X-Shopify-Hmac-Sha256", good}}), "");
  CHECK(absl::IsPermissionDenied(tampered));
  CHECK(absl::IsPermissionDenied(
      VerifyWebhook("shopify", secrets, kBody, Headers({}), "")));
  std::string wc = absl::Base64Escape(HmacSha256("wc_secret", kBody));
  CHECK(VerifyWebhook("woocommerce", secrets, kBody,
                      Headers({{"X-WC-Webhook-Signature", wc}}), "")
            .ok());
  // No secret for a source: refused, and the error says why.
  auto none = VerifyWebhook("zendesk", secrets, kBody, Headers({}), "");
  CHECK(absl::IsFailedPrecondition(none));
}

TEST_CASE("Zendesk and Klaviyo sign the timestamp with the body", "[gateway]") {
  Secrets secrets{{"zendesk", "zd"}, {"klaviyo", "kl_secret_0123456789"}};
  std::string ts = "2026-02-01T10:00:00Z";
  std::string zd = absl::Base64Escape(HmacSha256("zd", ts + kBody));
  CHECK(VerifyWebhook("zendesk", secrets, kBody,
                      Headers({{"X-Zendesk-Webhook-Signature", zd},
                               {"X-Zendesk-Webhook-Signature-Timestamp", ts}}),
                      "")
            .ok());
  CHECK(absl::IsPermissionDenied(VerifyWebhook(
      "zendesk", secrets, kBody,
      Headers(
          {{"X-Zendesk-Webhook-Signature", zd},
           {"X-Zendesk-Webhook-Signature-Timestamp", "2026-02-01T10:00:01Z"}}),
      "")));
  std::string kts = "1767225600";
  std::string kl =
      absl::BytesToHexString(HmacSha256("kl_secret_0123456789", kBody + kts));
  CHECK(VerifyWebhook(
            "klaviyo", secrets, kBody,
            Headers({{"Klaviyo-Signature", kl}, {"Klaviyo-Timestamp", kts}}),
            "")
            .ok());
}

TEST_CASE("SendGrid verifies an ECDSA P-256 signature over timestamp + body",
          "[gateway]") {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key != nullptr);
  unsigned char* der = nullptr;
  int der_len = i2d_PUBKEY(key, &der);
  REQUIRE(der_len > 0);
  std::string public_key = absl::Base64Escape(
      absl::string_view(reinterpret_cast<char*>(der), der_len));
  OPENSSL_free(der);
  std::string ts = "1767225600";
  std::string message = ts + kBody;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  REQUIRE(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1);
  size_t sig_len = 0;
  REQUIRE(EVP_DigestSign(ctx, nullptr, &sig_len,
                         reinterpret_cast<const unsigned char*>(message.data()),
                         message.size()) == 1);
  std::string sig(sig_len, '\0');
  REQUIRE(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()),
                         &sig_len,
                         reinterpret_cast<const unsigned char*>(message.data()),
                         message.size()) == 1);
  sig.resize(sig_len);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);

  Secrets secrets{{"sendgrid", public_key}};
  auto headers = Headers(
      {{"X-Twilio-Email-Event-Webhook-Signature", absl::Base64Escape(sig)},
       {"X-Twilio-Email-Event-Webhook-Timestamp", ts}});
  CHECK(VerifyWebhook("sendgrid", secrets, kBody, headers, "").ok());
  CHECK(absl::IsPermissionDenied(
      VerifyWebhook("sendgrid", secrets, kBody + "x", headers, "")));
}

TEST_CASE("Mailchimp, Gorgias and Magento verify by the URL token",
          "[gateway]") {
  Secrets secrets{{"mailchimp", "tok-123"}, {"gorgias", "g"}, {"magento", "m"}};
  CHECK(VerifyWebhook("mailchimp", secrets, "type=subscribe", Headers({}),
                      "tok-123")
            .ok());
  CHECK(absl::IsPermissionDenied(VerifyWebhook(
      "mailchimp", secrets, "type=subscribe", Headers({}), "tok-124")));
  CHECK(absl::IsPermissionDenied(
      VerifyWebhook("gorgias", secrets, "{}", Headers({}), "")));
  CHECK(VerifyWebhook("magento", secrets, "{}", Headers({}), "m").ok());
}

TEST_CASE("signed timestamps outside the window are refused as replays",
          "[gateway]") {
  Secrets secrets{{"zendesk", "zd"}, {"klaviyo", "kl_secret_0123456789"}};
  const std::string ts = "2026-02-01T10:00:00Z";
  const custhub::Micros at = *ParseSignatureTime(ts);
  const custhub::Micros kMinute = 60 * custhub::kMicrosPerSecond;
  auto zendesk = [&](custhub::Micros now) {
    std::string zd = absl::Base64Escape(HmacSha256("zd", ts + kBody));
    return VerifyWebhook(
        "zendesk", secrets, kBody,
        Headers({{"X-Zendesk-Webhook-Signature", zd},
                 {"X-Zendesk-Webhook-Signature-Timestamp", ts}}),
        "", {now, 5 * kMinute});
  };
  CHECK(zendesk(at + 5 * kMinute).ok());
  CHECK(zendesk(at - 5 * kMinute).ok());  // the sender's clock runs ahead
  auto late = zendesk(at + 5 * kMinute + 1);
  CHECK(absl::IsPermissionDenied(late));
  CHECK(absl::StrContains(late.message(), "replayed"));
  CHECK(absl::IsPermissionDenied(zendesk(at - 6 * kMinute)));

  // Klaviyo's Unix seconds, and milliseconds.
  for (std::string kts : {"1767225600", "1767225600000"}) {
    INFO(kts);
    std::string kl =
        absl::BytesToHexString(HmacSha256("kl_secret_0123456789", kBody + kts));
    auto headers =
        Headers({{"Klaviyo-Signature", kl}, {"Klaviyo-Timestamp", kts}});
    custhub::Micros sent = 1767225600LL * custhub::kMicrosPerSecond;
    CHECK(VerifyWebhook("klaviyo", secrets, kBody, headers, "",
                        {sent + kMinute, 5 * kMinute})
              .ok());
    CHECK(absl::IsPermissionDenied(
        VerifyWebhook("klaviyo", secrets, kBody, headers, "",
                      {sent + kMinute * 60, 5 * kMinute})));
    // max_skew 0: no window.
    CHECK(VerifyWebhook("klaviyo", secrets, kBody, headers, "",
                        {sent + kMinute * 60, 0})
              .ok());
  }
  CHECK_FALSE(ParseSignatureTime("yesterday").ok());
}
