#include "streams/polled_record.h"

#include "absl/strings/str_cat.h"

namespace custhub::streams {

PolledRecord::PolledRecord(const kafka::Message& m)
    : topic_(m.topic()),
      partition_(m.partition()),
      offset_(m.offset()),
      timestamp_ms_(m.timestamp_ms()),
      bytes_(absl::StrCat(m.key(), m.value())),
      key_size_(m.key().size()),
      headers_(m.headers()) {}

}  // namespace custhub::streams
