#include "streams/outbox_record.h"

#include <algorithm>
#include <cstdint>

namespace custhub::streams {
namespace {

// A cursor over protobuf wire format.
class Wire {
 public:
  explicit Wire(absl::string_view bytes) : rest_(bytes) {}
  bool done() const { return rest_.empty(); }

  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && !rest_.empty(); shift += 7) {
      auto b = static_cast<uint8_t>(rest_.front());
      rest_.remove_prefix(1);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool Skip(size_t n) {
    if (rest_.size() < n) return false;
    rest_.remove_prefix(n);
    return true;
  }
  bool Bytes(absl::string_view* v) {
    uint64_t n = 0;
    if (!Varint(&n) || rest_.size() < n) return false;
    *v = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return true;
  }
  // Reads a field's tag; `field` and wire `type` out.
  bool Tag(uint64_t* field, int* type) {
    uint64_t tag = 0;
    if (!Varint(&tag)) return false;
    *field = tag >> 3;
    *type = static_cast<int>(tag & 7);
    return *field != 0;
  }
  // Skips a field of an unknown number.
  bool SkipValue(int type) {
    uint64_t ignored = 0;
    absl::string_view bytes;
    switch (type) {
      case 0:
        return Varint(&ignored);
      case 1:
        return Skip(8);
      case 2:
        return Bytes(&bytes);
      case 5:
        return Skip(4);
      default:
        return false;  // groups are not in this message
    }
  }

 private:
  absl::string_view rest_;
};

constexpr int kVarint = 0, kLen = 2;

bool ParseHeader(absl::string_view entry,
                 std::pair<absl::string_view, absl::string_view>* out) {
  Wire w(entry);
  while (!w.done()) {
    uint64_t field = 0;
    int type = 0;
    if (!w.Tag(&field, &type)) return false;
    if ((field == 1 || field == 2) && type == kLen) {
      if (!w.Bytes(field == 1 ? &out->first : &out->second)) return false;
    } else if (!w.SkipValue(type)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParseOutboxRecordView(absl::string_view bytes, kafka::OutRecordView* out) {
  *out = kafka::OutRecordView{};
  Wire w(bytes);
  while (!w.done()) {
    uint64_t field = 0;
    int type = 0;
    if (!w.Tag(&field, &type)) return false;
    bool ok = true;
    if (field >= 1 && field <= 3 && type == kLen) {
      ok = w.Bytes(field == 1   ? &out->topic
                   : field == 2 ? &out->key
                                : &out->value);
    } else if (field == 4 && type == kVarint) {
      uint64_t v = 0;
      ok = w.Varint(&v);
      out->value_is_null = v != 0;
    } else if (field == 5 && type == kLen) {
      absl::string_view entry;
      std::pair<absl::string_view, absl::string_view> header;
      ok = w.Bytes(&entry) && ParseHeader(entry, &header);
      out->headers.push_back(header);
    } else {
      ok = w.SkipValue(type);
    }
    if (!ok) return false;
  }
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
