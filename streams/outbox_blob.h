// How one batch's outputs sit in the outbox family: ONE value per batch,
// keyed by the batch's first sequence number, holding every serialised
// OutboxRecord of the batch in sequence order. One memtable insert per
// batch instead of one per output (outputs were two-thirds of what a batch
// wrote), and one delete once the broker confirmed them all.
//
//   value = 0x00 'B' then, per record: be32 length, the record's bytes
//
// A value without the marker is a single record from before this format
// (state dirs written by older versions), with the key's sequence number.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace custhub::streams {

inline constexpr absl::string_view kOutboxBlobMarker{"\0B", 2};

inline void StartOutboxBlob(std::string* blob) {
  blob->assign(kOutboxBlobMarker.data(), kOutboxBlobMarker.size());
}

// Appends room for one record of `n` bytes; returns where to write it.
inline char* AppendOutboxBlobSlot(std::string* blob, size_t n) {
  size_t at = blob->size();
  blob->resize(at + 4 + n);
  char* p = blob->data() + at;
  auto len = static_cast<uint32_t>(n);
  p[0] = static_cast<char>(len >> 24);
  p[1] = static_cast<char>(len >> 16);
  p[2] = static_cast<char>(len >> 8);
  p[3] = static_cast<char>(len);
  return p + 4;
}

inline void AppendToOutboxBlob(std::string* blob, absl::string_view record) {
  char* p = AppendOutboxBlobSlot(blob, record.size());
  if (!record.empty()) std::memcpy(p, record.data(), record.size());
}

// Calls fn(record_bytes) per record, in order; false when the value is
// truncated (fn may have been called for the records before the damage).
template <typename Fn>
bool ForEachInOutboxBlob(absl::string_view value, Fn fn) {
  if (value.substr(0, kOutboxBlobMarker.size()) != kOutboxBlobMarker) {
    fn(value);  // an entry of the one-record-per-key format
    return true;
  }
  value.remove_prefix(kOutboxBlobMarker.size());
  while (!value.empty()) {
    if (value.size() < 4) return false;
    auto b = [&](int i) {
      return static_cast<uint32_t>(static_cast<unsigned char>(value[i]));
    };
    uint32_t n = b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
    value.remove_prefix(4);
    if (value.size() < n) return false;
    fn(value.substr(0, n));
    value.remove_prefix(n);
  }
  return true;
}

}  // namespace custhub::streams
