#include "streams/polled_record.h"

#include <cstring>

namespace custhub::streams {
namespace {

char* PutSize(char* p, size_t n) {
  auto v = static_cast<uint32_t>(n);
  std::memcpy(p, &v, sizeof v);
  return p + sizeof v;
}

uint32_t GetSize(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

PolledRecord::PolledRecord(const kafka::Message& m)
    : topic_(m.topic()),
      partition_(m.partition()),
      key_size_(static_cast<uint32_t>(m.key().size())),
      offset_(m.offset()),
      timestamp_ms_(m.timestamp_ms()),
      value_size_(static_cast<uint32_t>(m.value().size())) {
  auto headers = m.header_views();
  size_t size = m.key().size() + m.value().size();
  for (const auto& [name, value] : headers) {
    size += 2 * sizeof(uint32_t) + name.size() + value.size();
  }
  bytes_.resize(size);
  char* p = bytes_.data();
  auto put = [&](absl::string_view s) {
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put(m.key());
  put(m.value());
  for (const auto& [name, value] : headers) {
    p = PutSize(p, name.size());
    p = PutSize(p, value.size());
    put(name);
    put(value);
  }
}

std::vector<kafka::Header> PolledRecord::headers() const {
  std::vector<kafka::Header> out;
  const char* p = bytes_.data() + key_size_ + value_size_;
  const char* end = bytes_.data() + bytes_.size();
  while (p < end) {
    uint32_t name_size = GetSize(p);
    uint32_t value_size = GetSize(p + sizeof(uint32_t));
    p += 2 * sizeof(uint32_t);
    out.emplace_back(std::string(p, name_size),
                     std::string(p + name_size, value_size));
    p += name_size + value_size;
  }
  return out;
}

}  // namespace custhub::streams
