// Helpers for absl::Status plumbing. Abseil 20220623 ships no public
// RETURN_IF_ERROR / ASSIGN_OR_RETURN, so custhub keeps these two.
//
//   absl::StatusOr<int> Parse(absl::string_view s);
//   absl::Status Use(absl::string_view s) {
//     CUSTHUB_ASSIGN_OR_RETURN(int n, Parse(s));
//     CUSTHUB_RETURN_IF_ERROR(Check(n));
//     return absl::OkStatus();
//   }
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CUSTHUB_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::absl::Status custhub_status_ = (expr);           \
    if (!custhub_status_.ok()) return custhub_status_; \
  } while (0)

#define CUSTHUB_CONCAT_INNER_(a, b) a##b
#define CUSTHUB_CONCAT_(a, b) CUSTHUB_CONCAT_INNER_(a, b)

#define CUSTHUB_ASSIGN_OR_RETURN(lhs, expr)                                    \
  CUSTHUB_ASSIGN_OR_RETURN_IMPL_(CUSTHUB_CONCAT_(custhub_sor_, __LINE__), lhs, \
                                 expr)

#define CUSTHUB_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

namespace custhub {

// Marks a Status as deliberately ignored; the argument says why at the call
// site (the idea of RocksDB's PermitUncheckedError).
inline void IgnoreError(const absl::Status& /*status*/, const char* /*why*/) {}

}  // namespace custhub
