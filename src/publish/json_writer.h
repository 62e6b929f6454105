// The JSON writer behind the destination bodies (destinations.cc), internal
// to src/publish: nested objects only, members in call order, bytes written
// straight into a scratch buffer with no temporaries.
//
//   std::string scratch;  // reusable: keeps its capacity between documents
//   JsonWriter w(&scratch);
//   w.Begin().Field("type", "profile").Key("properties").Begin();
//   w.Key("order_count").Raw("3").End().End();
//   std::string body(w.view());
//   // body == R"({"type":"profile","properties":{"order_count":3}})"
//
// Text is escaped so the output is always valid JSON: invalid UTF-8 becomes
// U+FFFD, and U+2028/U+2029 are escaped for JavaScript consumers.
//
// A writer borrows its buffer for one document; one writer per buffer at a
// time. Not thread-safe, like the buffer.
#pragma once

#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace custhub::publish {

class JsonWriter {
 public:
  // `scratch` is used as a plain byte buffer: its contents are overwritten
  // and are not the document (view() is).
  explicit JsonWriter(std::string* scratch) : buf_(scratch) {}

  // Opens an object: the document, or the value after Key().
  JsonWriter& Begin() {
    Separate();
    Put('{');
    need_comma_ = false;
    return *this;
  }
  JsonWriter& End() {
    Put('}');
    need_comma_ = true;
    return *this;
  }
  JsonWriter& Key(absl::string_view key) {
    Separate();
    PutString(key);
    Put(':');
    need_comma_ = false;
    return *this;
  }
  JsonWriter& String(absl::string_view value) {
    Separate();
    PutString(value);
    need_comma_ = true;
    return *this;
  }
  // A number or literal already in JSON syntax.
  JsonWriter& Raw(absl::string_view json) {
    Separate();
    Put(json);
    need_comma_ = true;
    return *this;
  }
  JsonWriter& Field(absl::string_view key, absl::string_view value) {
    return Key(key).String(value);
  }
  // Skips the member when `value` is empty.
  JsonWriter& FieldIfSet(absl::string_view key, absl::string_view value) {
    return value.empty() ? *this : Field(key, value);
  }

  // The document written so far.
  absl::string_view view() const { return {buf_->data(), len_}; }

 private:
  // Objects only, so one flag says whether a member came before: set by a
  // value or a closed object, cleared by an opened object or a key.
  void Separate() {
    if (need_comma_) Put(',');
  }
  // Where `n` more bytes go; the buffer grows (and may move) if needed.
  char* Room(size_t n) {
    if (len_ + n > buf_->size()) Grow(len_ + n);
    return buf_->data() + len_;
  }
  void Grow(size_t size);
  void Put(char c) {
    *Room(1) = c;
    ++len_;
  }
  void Put(absl::string_view s) {
    if (s.empty()) return;
    std::memcpy(Room(s.size()), s.data(), s.size());
    len_ += s.size();
  }
  // `s` quoted and escaped; PutEscaped is the slow path, for strings that
  // need an escape.
  void PutString(absl::string_view s);
  void PutEscaped(absl::string_view s);

  std::string* buf_;
  size_t len_ = 0;  // of the document; buf_->size() is the room
  bool need_comma_ = false;
};

}  // namespace custhub::publish
