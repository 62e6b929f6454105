#include "src/cli/config_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace custhub::cli {
namespace {

constexpr const char* kSections[] = {"secrets", "destinations", "rules"};

// "a.b.c" -> value for every scalar under `node`.
void FlattenDotted(const YAML::Node& node, const std::string& prefix,
                   std::map<std::string, std::string>* out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      FlattenDotted(kv.second, prefix + "." + kv.first.as<std::string>(), out);
    }
  } else if (node.IsScalar()) {
    (*out)[prefix] = node.as<std::string>();
  } else if (node.IsNull()) {
    (*out)[prefix] = "";
  }
}

void Flatten(
    const YAML::Node& node, const std::string& prefix,
    std::vector<std::pair<std::string, std::vector<std::string>>>* out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      std::replace(key.begin(), key.end(), '_', '-');
      Flatten(kv.second, prefix.empty() ? key : prefix + "-" + key, out);
    }
  } else if (node.IsSequence()) {
    std::vector<std::string> values;
    for (const auto& v : node) values.push_back(v.as<std::string>());
    out->emplace_back(prefix, std::move(values));
  } else if (node.IsScalar()) {
    out->emplace_back(prefix, std::vector<std::string>{node.as<std::string>()});
  }
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ConfigArgs(
    const std::string& path, const std::vector<std::string>& given,
    const std::function<bool(const std::string&)>& known_here,
    const std::function<bool(const std::string&)>& known_anywhere) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("--config: ", path, ": ", e.what()));
  }
  if (!root.IsNull() && !root.IsMap()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--config: ", path, ": top level must be a map"));
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> flat;
  try {
    // `secrets` never become flags (secrets stay off command lines), and
    // the structured sections are read by ConfigSection.
    YAML::Node settings = YAML::Clone(root);
    if (settings.IsMap()) {
      for (const char* section : kSections) settings.remove(section);
    }
    Flatten(settings, "", &flat);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("--config: ", path, ": ", e.what()));
  }
  std::vector<std::string> args;
  for (const auto& [key, values] : flat) {
    std::string flag = "--" + key;
    if (!known_anywhere(flag)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--config: ", path, ": unknown key '", key, "'"));
    }
    if (!known_here(flag)) continue;  // another subcommand's setting
    bool on_command_line = std::any_of(
        given.begin(), given.end(),
        [&](auto& a) { return a == flag || absl::StartsWith(a, flag + "="); });
    if (on_command_line) continue;
    for (const auto& v : values) args.push_back(absl::StrCat(flag, "=", v));
  }
  return args;
}

}  // namespace custhub::cli

namespace custhub::cli {

absl::StatusOr<std::map<std::string, std::string>> ConfigSecrets(
    const std::string& path) {
  std::map<std::string, std::string> out;
  if (path.empty()) return out;
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (root.IsMap() && root["secrets"]) {
      YAML::Node secrets = root["secrets"];
      if (!secrets.IsMap()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--config: ", path, ": secrets must be a map"));
      }
      for (const auto& kv : secrets) {
        out[kv.first.as<std::string>()] = kv.second.as<std::string>();
      }
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("--config: ", path, ": ", e.what()));
  }
  return out;
}

}  // namespace custhub::cli

namespace custhub::cli {

absl::StatusOr<std::map<std::string, std::string>> ConfigSection(
    const std::string& path, const std::string& section) {
  std::map<std::string, std::string> out;
  if (path.empty()) return out;
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (root.IsMap() && root[section])
      FlattenDotted(root[section], section, &out);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("--config: ", path, ": ", e.what()));
  }
  return out;
}

}  // namespace custhub::cli
