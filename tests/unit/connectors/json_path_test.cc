#include <catch2/catch.hpp>
#include <string>

#include "absl/strings/string_view.h"
#include "connectors/common/json_fields.h"

namespace custhub::connectors {
namespace {

TEST_CASE("JSON paths read as the field's dotted and indexed path",
          "[json_fields]") {
  JsonPath top = ChildPath("", "total_price");
  CHECK(absl::string_view(top) == "total_price");
  JsonPath nested = ChildPath("customer", "email");
  CHECK(absl::string_view(nested) == "customer.email");
  JsonPath element("line_items", size_t{12});
  CHECK(absl::string_view(element) == "line_items[12]");
  JsonPath copy = element;
  CHECK(absl::string_view(copy) == "line_items[12]");
}

TEST_CASE("JSON paths longer than the inline buffer are kept whole",
          "[json_fields]") {
  std::string parent(90, 'p');
  for (size_t key_size : {0, 1, 5, 6, 7, 200}) {
    std::string key(key_size, 'k');
    JsonPath path = ChildPath(parent, key);
    CHECK(absl::string_view(path) ==
          (key.empty() ? parent + "." : parent + "." + key));
    JsonPath copy = path;
    CHECK(absl::string_view(copy) == absl::string_view(path));
  }
  JsonPath element(std::string(200, 'a'), size_t{3});
  CHECK(absl::string_view(element) == std::string(200, 'a') + "[3]");
}

}  // namespace
}  // namespace custhub::connectors
