#include "src/identity/identifiers.h"

#include <catch2/catch.hpp>

using namespace custhub::identity;

TEST_CASE("emails are trimmed, lower-cased and checked for shape",
          "[identity]") {
  CHECK(*NormalizeEmail("  Ann.Lee@Example.COM ") == "ann.lee@example.com");
  CHECK_FALSE(NormalizeEmail("no-at-sign").ok());
  CHECK_FALSE(NormalizeEmail("a@b").ok());
  CHECK_FALSE(NormalizeEmail("a@@b.com").ok());
  CHECK_FALSE(NormalizeEmail("a b@c.com").ok());
  CHECK_FALSE(NormalizeEmail(std::string(300, 'a') + "@b.com").ok());
}

TEST_CASE("E.164 phones keep only digits after the plus", "[identity]") {
  CHECK(*NormalizePhoneE164("+1 (555) 000-0073") == "+15550000073");
  CHECK_FALSE(NormalizePhoneE164("5550000073").ok());
  CHECK_FALSE(NormalizePhoneE164("+1555abc").ok());
}

TEST_CASE("identifier keys come strongest first and name stable ids",
          "[identity]") {
  custhub::v1::Identifiers ids;
  ids.add_phones("+15550000001");
  ids.add_emails("a@b.com");
  (*ids.mutable_external_ids())["shopify"] = "42";
  auto keys = IdentifierKeys(ids);
  REQUIRE(keys.size() == 3);
  CHECK(keys[0] == "ext:shopify:42");
  CHECK(keys[1] == "email:a@b.com");
  CHECK(keys[2] == "phone:+15550000001");
  CHECK(CustomerIdFor("email:a@b.com") == CustomerIdFor("email:a@b.com"));
  CHECK(CustomerIdFor("email:a@b.com") != CustomerIdFor("email:b@b.com"));
  CHECK(CustomerIdFor("email:a@b.com").value().rfind("cus_", 0) == 0);
}
