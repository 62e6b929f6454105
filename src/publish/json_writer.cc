#include "src/publish/json_writer.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "absl/base/attributes.h"

namespace custhub::publish {
namespace {

// Bytes that are not copied as they are: controls, '"', '\\' and every
// non-ASCII byte (checked as UTF-8).
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = c < 0x20 || c >= 0x80;
  t['"'] = t['\\'] = true;
  return t;
}();

// Copies `s` (2..6 bytes) to `p`, returning the end.
template <size_t N>
char* Copy(char* p, const char (&s)[N]) {
  std::memcpy(p, s, N - 1);
  return p + N - 1;
}

// An escape for the ASCII byte `c` at `p`: the short forms JSON has, else
// "\u00XX".
char* Escape(unsigned char c, char* p) {
  switch (c) {
    case '"':
      return Copy(p, "\\\"");
    case '\\':
      return Copy(p, "\\\\");
    case '\b':
      return Copy(p, "\\b");
    case '\f':
      return Copy(p, "\\f");
    case '\n':
      return Copy(p, "\\n");
    case '\r':
      return Copy(p, "\\r");
    case '\t':
      return Copy(p, "\\t");
    default:
      static constexpr char kHex[] = "0123456789abcdef";
      p = Copy(p, "\\u00");
      *p++ = kHex[c >> 4];
      *p++ = kHex[c & 0xF];
      return p;
  }
}

// Where the run of plain bytes starting at `in` ends: 8 bytes at a time
// while none of them is special, then byte by byte.
const char* PlainRun(const char* in, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  constexpr uint64_t kHigh = 0x8080808080808080;
  // A byte of x is below n (n <= 0x80) where the subtraction borrows.
  auto any_below = [](uint64_t x, uint64_t n) {
    return (x - kOnes * n) & ~x & kHigh;
  };
  while (end - in >= 8) {
    uint64_t w;
    std::memcpy(&w, in, 8);
    uint64_t special = (w & kHigh) | any_below(w, 0x20) |
                       any_below(w ^ (kOnes * '"'), 1) |
                       any_below(w ^ (kOnes * '\\'), 1);
    if (special != 0) break;
    in += 8;
  }
  while (in < end && !kSpecial[static_cast<unsigned char>(*in)]) ++in;
  return in;
}

// Length of the well-formed UTF-8 sequence (RFC 3629) starting with the
// non-ASCII byte at `in`, or 0.
size_t Utf8Length(const char* in, const char* end) {
  auto byte = [&](size_t k) -> unsigned {
    return k < static_cast<size_t>(end - in) ? static_cast<unsigned char>(in[k])
                                             : 0u;
  };
  auto cont = [&](size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
  const unsigned c = byte(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return byte(1) >= lo && byte(1) <= hi && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return byte(1) >= lo && byte(1) <= hi && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

void JsonWriter::Grow(size_t size) {
  // Doubling, from a size that fits most bodies at once.
  buf_->resize(std::max({size, 2 * buf_->size(), size_t{1024}}));
}

void JsonWriter::PutString(absl::string_view s) {
  const char* const end = s.data() + s.size();
  const char* run = PlainRun(s.data(), end);
  if (run != end) {
    PutEscaped(s);
    return;
  }
  // Nothing to escape (nearly every string): quotes around one copy.
  char* p = Room(s.size() + 2);
  *p++ = '"';
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  p[s.size()] = '"';
  len_ += s.size() + 2;
}

// Out of line, so the common path above stays small.
ABSL_ATTRIBUTE_NOINLINE void JsonWriter::PutEscaped(absl::string_view s) {
  // The most an escaped byte takes is 6 ("\u0001"; U+FFFD for a bad byte is
  // 3, "\u2028" is 6 for 3 bytes), plus the quotes.
  char* p = Room(6 * s.size() + 2);
  *p++ = '"';
  const char* in = s.data();
  const char* const end = in + s.size();
  while (in < end) {
    const char* run = PlainRun(in, end);
    std::memcpy(p, in, run - in);
    p += run - in;
    in = run;
    if (in == end) break;
    const auto c = static_cast<unsigned char>(*in);
    if (c < 0x80) {
      p = Escape(c, p);
      ++in;
      continue;
    }
    size_t len = Utf8Length(in, end);
    if (len == 0) {
      p = Copy(p, "\xEF\xBF\xBD");
      ++in;
    } else if (len == 3 && c == 0xE2 &&
               static_cast<unsigned char>(in[1]) == 0x80 &&
               (static_cast<unsigned char>(in[2]) & 0xFE) == 0xA8) {
      p = static_cast<unsigned char>(in[2]) == 0xA8 ? Copy(p, "\\u2028")
                                                    : Copy(p, "\\u2029");
      in += 3;
    } else {
      std::memcpy(p, in, len);
      p += len;
      in += len;
    }
  }
  *p++ = '"';
  len_ = p - buf_->data();
}

}  // namespace custhub::publish
