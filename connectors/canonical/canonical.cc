#include "connectors/canonical/canonical.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"

namespace custhub::connectors {

absl::StatusOr<std::vector<custhub::v1::Event>> DecodeCanonical(
    const RawRecord& r) {
  custhub::v1::Event event;
  if (r.content_type == "application/x-protobuf") {
    if (!event.ParseFromArray(r.body.data(), static_cast<int>(r.body.size()))) {
      return absl::InvalidArgumentError("body: not a binary custhub.v1.Event");
    }
  } else if (r.content_type.empty() || r.content_type == "application/json") {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    auto s = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(r.body.data(), r.body.size()), &event,
        options);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("body: not a custhub.v1.Event in JSON: ",
                       std::string(s.message()).substr(0, 200)));
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "content-type: '", r.content_type.substr(0, 64), "' is not supported"));
  }
  std::vector<custhub::v1::Event> out;
  out.push_back(std::move(event));
  return out;
}

}  // namespace custhub::connectors
