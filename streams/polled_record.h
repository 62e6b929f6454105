// A record polled from an input topic, copied out of librdkafka. Records
// wait in the input merge (up to 200,000) and in the batch being folded; a
// librdkafka message held that long keeps the whole fetched, decompressed
// message set it came in alive, ~530 MB at the hub's peak with 1M records
// (bench/README.md, eleventh pass). A copy frees the set as soon as the
// poll has read it. Key, value and headers share one allocation: headers
// as a vector of string pairs cost ~350 bytes a record more (~65 MB in a
// full merge), so they are unpacked only when the record is folded.
//
//   for (auto& m : polled) merge.Add(PolledRecord(m));  // m can go now
//
// Thread-safety: a value; none needed.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/kafka/client.h"

namespace custhub::streams {

class PolledRecord {
 public:
  explicit PolledRecord(const kafka::Message& m);

  absl::string_view topic() const { return topic_; }
  int32_t partition() const { return partition_; }
  int64_t offset() const { return offset_; }
  // Broker or create time in milliseconds; -1 if unknown.
  int64_t timestamp_ms() const { return timestamp_ms_; }
  absl::string_view key() const {
    return absl::string_view(bytes_).substr(0, key_size_);
  }
  absl::string_view value() const {
    return absl::string_view(bytes_).substr(key_size_, value_size_);
  }
  // The headers in order, unpacked.
  std::vector<kafka::Header> headers() const;

 private:
  std::string topic_;
  int32_t partition_;
  uint32_t key_size_;
  int64_t offset_;
  int64_t timestamp_ms_;
  uint32_t value_size_;
  // Key, value, then each header as its name's and value's sizes (4 bytes
  // each, native order) followed by the name and the value.
  std::string bytes_;
};

}  // namespace custhub::streams
