// Protobuf's deterministic serialisation (map entries in key order), the
// form every stored value and output takes: state bytes feed the digest and
// the destinations' change checks, so equal messages must give equal bytes.
//
//   std::string bytes = custhub::DeterministicBytes(state);
#pragma once

#include <string>

#include "google/protobuf/message_lite.h"

namespace custhub {

std::string DeterministicBytes(const google::protobuf::MessageLite& m);

}  // namespace custhub
