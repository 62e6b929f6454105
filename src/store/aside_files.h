// Values kept beside RocksDB, one file each: the outbox family's entries (a
// batch's outputs, ~25 MB per 20,000 records, deleted once the broker has
// them) would otherwise go through the WAL, a memtable, flushes and
// compactions on their way to being deleted. The family holds a reference
// (size, XXH3 digest, file name) that lands atomically with the rest of the
// batch; the file is written and fsynced before it, so a crash leaves at
// most files no reference names, removed at the next open.
//
//   AsideFiles files(state_dir + "/aside");
//   CUSTHUB_RETURN_IF_ERROR(files.Create());
//   CUSTHUB_ASSIGN_OR_RETURN(std::string ref, files.Write(value, true));
//   CUSTHUB_RETURN_IF_ERROR(files.SyncDirectory());
//   ... the reference goes into the RocksDB batch ...
//   CUSTHUB_ASSIGN_OR_RETURN(std::string back, files.Read(ref));
//
// Thread-safety: Write, SyncDirectory, Remove and RemoveExcept from one
// thread at a time (the store's writer); Read and Bytes from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace custhub::store {

class AsideFiles {
 public:
  explicit AsideFiles(std::string dir);

  // Creates the directory if it is missing.
  absl::Status Create();

  // Whether a stored value is a reference (values stored inline by earlier
  // versions are not).
  static bool IsReference(absl::string_view stored);
  // The file a reference names; empty for anything else.
  static std::string NameOf(absl::string_view stored);

  // Writes `value` to a new file (fsynced when `sync`) and returns the
  // reference to store in its place.
  absl::StatusOr<std::string> Write(absl::string_view value, bool sync);
  // Makes the names of the files written so far durable.
  absl::Status SyncDirectory();
  // The value a reference names. DataLoss when its file is missing, of
  // another size, or its bytes differ from what was written.
  absl::StatusOr<std::string> Read(absl::string_view reference) const;

  // Removes files; one left behind (a crash) is removed by RemoveExcept at
  // the next open.
  void Remove(const std::vector<std::string>& names);
  // Removes every file not in `keep`; returns how many went.
  size_t RemoveExcept(const absl::flat_hash_set<std::string>& keep);
  // Bytes of all the files.
  uint64_t Bytes() const;

 private:
  std::string dir_;
  uint64_t nonce_;  // per instance, so names never repeat across opens
  uint64_t written_ = 0;
};

}  // namespace custhub::store
