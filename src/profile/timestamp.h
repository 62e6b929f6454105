// google.protobuf.Timestamp <-> custhub event time (UTC micros), shared by
// the folds, merges, rules and the runtime.
//
//   SetTime(profile.mutable_orders()->mutable_last_order_at(), at);
//   if (IsSet(t) && ToMicros(t) < at) ...
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <cstdint>

#include "src/common/time.h"

namespace custhub::profile {

inline Micros ToMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * kMicrosPerSecond + t.nanos() / 1000;
}

// An unset (all-zero) Timestamp means "never".
inline bool IsSet(const google::protobuf::Timestamp& t) {
  return t.seconds() != 0 || t.nanos() != 0;
}

inline void SetTime(google::protobuf::Timestamp* t, Micros at) {
  int64_t sec = at / kMicrosPerSecond;
  int64_t rem = at % kMicrosPerSecond;
  if (rem < 0) {
    rem += kMicrosPerSecond;
    --sec;
  }
  t->set_seconds(sec);
  t->set_nanos(static_cast<int32_t>(rem * 1000));
}

}  // namespace custhub::profile
