// A fresh directory under the system temp dir, removed with everything in
// it when the object goes. For RocksDB state dirs and config files in tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace custhub::testing {

struct TempDir {
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "custhub-test-XXXXXX")
            .string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path;
};

}  // namespace custhub::testing
