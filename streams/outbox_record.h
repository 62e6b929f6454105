// Reading a serialised OutboxRecord (custhub.v1, state.proto) in place: the
// outbox entry that holds it is what librdkafka sends from, so an output's
// bytes exist once from commit to delivery.
//
//   kafka::OutRecordView v;
//   if (!ParseOutboxRecordView(bytes, &v)) ...  // corrupt
//   producer->ProduceView(v, seq);  // `bytes` must outlive the delivery
//
// Thread-safety: pure functions.
#pragma once

#include "absl/strings/string_view.h"
#include "src/kafka/client.h"

namespace custhub::streams {

// Points `out` into `bytes` (protobuf wire format of OutboxRecord: topic 1,
// key 2, value 3, tombstone 4, headers 5 as map entries). Headers come out
// sorted by name. False when the bytes are not such a record.
bool ParseOutboxRecordView(absl::string_view bytes, kafka::OutRecordView* out);

}  // namespace custhub::streams
