// `custhub profile get` and `custhub digest`: read-only, beside a running hub.
#include <cstdio>

#include "src/api/lookup.h"
#include "src/cli/commands.h"
#include "src/publish/outputs.h"

namespace custhub::cli {

int RunProfileGet(const std::string& id, const std::string& state_dir) {
  auto store = store::StateStore::OpenReader(state_dir);
  if (!store.ok()) {
    return Fail(absl::IsNotFound(store.status())
                    ? absl::InvalidArgumentError(store.status().message())
                    : store.status());
  }
  auto state = api::LookupCustomer(**store, id);
  if (!state.ok()) return Fail(state.status());
  if (!state->has_value()) {
    std::fprintf(stderr, "custhub: no customer matches '%s'\n", id.c_str());
    return kExitNotFound;
  }
  std::printf("%s\n", publish::ProfileJson((*state)->profile(), true).c_str());
  return kExitOk;
}

int RunDigest(const std::string& state_dir) {
  auto store = store::StateStore::OpenReader(state_dir);
  if (!store.ok()) {
    return Fail(absl::IsNotFound(store.status())
                    ? absl::InvalidArgumentError(store.status().message())
                    : store.status());
  }
  auto digest = (*store)->Digest();
  if (!digest.ok()) return Fail(digest.status());
  std::printf("%s\n", digest->c_str());
  return kExitOk;
}

}  // namespace custhub::cli
