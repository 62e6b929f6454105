// The customer inspector page served at `/` by the HTTP API: one
// self-contained HTML document (inline CSS and JS, no build step, no CDN)
// that searches by email, phone or id and shows the profile, timeline and
// triggers from the /v1/profiles endpoints. `/?q=ann@example.com` runs the
// search on load, so a link can point at a customer.
//
//   res.set_content(std::string(api::InspectorPage()), "text/html");
//
// Customer data reaches the page only through textContent and attributes
// set from code, never innerHTML, so a name or subject cannot inject script.
#pragma once

#include "absl/strings/string_view.h"

namespace custhub::api {

// The page, compiled into the binary. Thread-safe (a constant).
absl::string_view InspectorPage();

}  // namespace custhub::api
