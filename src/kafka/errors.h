// Translation of librdkafka error codes to absl::Status. The only place,
// with src/kafka/*.cc, where rd_kafka_resp_err_t is visible.
#pragma once

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace custhub::kafka {

// `err` is an rd_kafka_resp_err_t; int keeps rdkafka.h out of this header.
absl::Status KafkaError(int err, absl::string_view context);

}  // namespace custhub::kafka
