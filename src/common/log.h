// One-line logs on stderr, as text or JSON (--log-format). Thread-safe.
//
//   Log(LogLevel::kInfo, "caught up", {{"partitions", "8"}});
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace custhub {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

using LogField = std::pair<absl::string_view, std::string>;

// Default: text, info. Set once at start-up.
void SetLogFormatJson(bool json);
void SetLogLevel(LogLevel level);

void Log(LogLevel level, absl::string_view message,
         std::initializer_list<LogField> fields = {});

}  // namespace custhub
