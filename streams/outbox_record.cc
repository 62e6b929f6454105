#include "streams/outbox_record.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <cstdint>

namespace custhub::streams {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;

// Reads a length-delimited field's bytes in place: `in` was built over one
// flat buffer, so GetDirectBufferPointer sees all that is left of it.
bool ReadView(CodedInputStream* in, absl::string_view* out) {
  uint32_t n = 0;
  if (!in->ReadVarint32(&n)) return false;
  const void* data = nullptr;
  int size = 0;
  if (n == 0) {
    *out = {};
    return true;
  }
  if (!in->GetDirectBufferPointer(&data, &size) ||
      static_cast<uint32_t>(size) < n) {
    return false;
  }
  *out = absl::string_view(static_cast<const char*>(data), n);
  return in->Skip(static_cast<int>(n));
}

CodedInputStream Over(absl::string_view bytes) {
  return CodedInputStream(reinterpret_cast<const uint8_t*>(bytes.data()),
                          static_cast<int>(bytes.size()));
}

bool ParseHeader(absl::string_view entry,
                 std::pair<absl::string_view, absl::string_view>* out) {
  CodedInputStream in = Over(entry);
  while (uint32_t tag = in.ReadTag()) {
    int field = WireFormatLite::GetTagFieldNumber(tag);
    bool is_bytes = WireFormatLite::GetTagWireType(tag) ==
                    WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
    if ((field == 1 || field == 2) && is_bytes) {
      if (!ReadView(&in, field == 1 ? &out->first : &out->second)) return false;
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  return in.ConsumedEntireMessage();
}

}  // namespace

bool ParseOutboxRecordView(absl::string_view bytes, kafka::OutRecordView* out) {
  *out = kafka::OutRecordView{};
  CodedInputStream in = Over(bytes);
  while (uint32_t tag = in.ReadTag()) {
    int field = WireFormatLite::GetTagFieldNumber(tag);
    auto type = WireFormatLite::GetTagWireType(tag);
    bool ok = true;
    if (field >= 1 && field <= 3 &&
        type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      ok = ReadView(&in, field == 1   ? &out->topic
                         : field == 2 ? &out->key
                                      : &out->value);
    } else if (field == 4 && type == WireFormatLite::WIRETYPE_VARINT) {
      uint64_t v = 0;
      ok = in.ReadVarint64(&v);
      out->value_is_null = v != 0;
    } else if (field == 5 &&
               type == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      absl::string_view entry;
      std::pair<absl::string_view, absl::string_view> header;
      ok = ReadView(&in, &entry) && ParseHeader(entry, &header);
      out->headers.push_back(header);
    } else {
      ok = WireFormatLite::SkipField(&in, tag);
    }
    if (!ok) return false;
  }
  // ReadTag returns 0 at the end and on a zero tag alike.
  if (!in.ConsumedEntireMessage()) return false;
  // A map: sorted by name, the last of a repeated name wins.
  auto& h = out->headers;
  std::stable_sort(h.begin(), h.end(), [](const auto& a, const auto& b) {
    return a.first < b.first;
  });
  size_t kept = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    if (i + 1 < h.size() && h[i + 1].first == h[i].first) continue;
    h[kept++] = h[i];
  }
  h.resize(kept);
  return true;
}

}  // namespace custhub::streams
