// Webhook signature checks, one per platform, with OpenSSL and constant-time
// comparison. Pure: the gateway passes the raw body and the request headers.
//
//   Secrets secrets{{"shopify", "shpss_..."}};
//   absl::Status ok = VerifyWebhook("shopify", secrets, body, headers, token);
//   // PermissionDenied: bad or missing signature; FailedPrecondition: no
//   // secret configured for that source.
//
// Schemes: Shopify X-Shopify-Hmac-Sha256 and WooCommerce
// X-WC-Webhook-Signature (base64 HMAC-SHA256 of the body); Zendesk
// X-Zendesk-Webhook-Signature (base64 HMAC-SHA256 of timestamp + body);
// Klaviyo Klaviyo-Signature (hex HMAC-SHA256 of body + timestamp); SendGrid
// X-Twilio-Email-Event-Webhook-Signature (ECDSA P-256 over timestamp + body,
// the secret is the base64 DER public key); Mailchimp, Gorgias and Magento a
// secret token in the URL (`?token=`).
//
// The three schemes that sign a timestamp (Zendesk, Klaviyo, SendGrid) also
// refuse a request whose timestamp is further than `freshness.max_skew`
// from `freshness.now`: a captured request cannot be replayed later. The
// platforms sign every retry afresh, so retries still pass.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "src/common/time.h"

namespace custhub::gateway {

// Source name -> its secret (HMAC key, URL token, or SendGrid public key).
using Secrets = std::map<std::string, std::string>;
// Case-insensitive request header lookup; empty when absent.
using HeaderLookup = std::function<std::string(absl::string_view)>;

// The replay window for signed timestamps; max_skew 0 turns it off.
struct Freshness {
  Micros now = 0;
  Micros max_skew = 0;
};

absl::Status VerifyWebhook(absl::string_view source, const Secrets& secrets,
                           absl::string_view body, const HeaderLookup& header,
                           absl::string_view url_token,
                           const Freshness& freshness = {});

// A signature timestamp: Unix seconds, Unix milliseconds (13 digits or
// more) or RFC 3339.
absl::StatusOr<Micros> ParseSignatureTime(absl::string_view text);

// Raw HMAC-SHA256 bytes (exposed for tests and for signing in tools).
std::string HmacSha256(absl::string_view key, absl::string_view data);

}  // namespace custhub::gateway
