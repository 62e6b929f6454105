// The YAML config file behind `--config`: its keys are the long flag names
// of the subcommand (nested maps join with '-', so `topics: {orders: x}` is
// `--topics-orders x`). A flag given on the command line beats the file.
//
//   auto extra = ConfigArgs("custhub.yaml", [&](auto& flag) { return known; });
//   argv.insert(argv.end(), extra->begin(), extra->end());
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace custhub::cli {

// The file's settings as "--flag=value" arguments, skipping flags already in
// `given`. `known(flag)` says whether the subcommand has the flag; a key no
// subcommand knows is an InvalidArgument naming it.
absl::StatusOr<std::vector<std::string>> ConfigArgs(
    const std::string& path, const std::vector<std::string>& given,
    const std::function<bool(const std::string&)>& known_here,
    const std::function<bool(const std::string&)>& known_anywhere);

// The `secrets:` map of the config file (source -> secret); empty without
// a file. Secrets are never flags, so they never show in `ps`.
absl::StatusOr<std::map<std::string, std::string>> ConfigSecrets(
    const std::string& path);

// A structured section of the config file (`destinations`, `rules`) as
// dotted keys: {"destinations.crm.flavor": "salesforce", ...}; a null value
// becomes "". Empty without a file or section.
absl::StatusOr<std::map<std::string, std::string>> ConfigSection(
    const std::string& path, const std::string& section);

}  // namespace custhub::cli
