// `custhub erase IDENTIFIER`: requests GDPR erasure of a customer by email,
// phone, source:id or customer id. The request on custhub.erasure carries
// only the salted hash of the identifier.
#include <cstdio>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/cli/commands.h"
#include "src/common/time.h"
#include "src/identity/erasure.h"
#include "src/identity/identifiers.h"
#include "src/kafka/client.h"

namespace custhub::cli {

absl::StatusOr<std::string> IdentifierKey(const std::string& id) {
  if (absl::StartsWith(id, "cus_")) return absl::StrCat("cid:", id);
  if (id.find('@') != std::string::npos) {
    auto email = identity::NormalizeEmail(id);
    if (!email.ok()) return email.status();
    return absl::StrCat("email:", *email);
  }
  if (!id.empty() && (id[0] == '+' || isdigit(id[0]))) {
    auto phone = identity::NormalizePhoneE164(id[0] == '+' ? id : "+" + id);
    if (!phone.ok()) return phone.status();
    return absl::StrCat("phone:", *phone);
  }
  if (id.find(':') != std::string::npos) return absl::StrCat("ext:", id);
  return absl::InvalidArgumentError(absl::StrCat(
      "IDENTIFIER: '", id, "' is not an email, phone, source:id or cus_ id"));
}

int RunErase(const std::string& identifier, const std::string& bootstrap,
             const std::string& topic, const std::string& salt) {
  auto key = IdentifierKey(identifier);
  if (!key.ok())
    return Fail(absl::InvalidArgumentError(key.status().message()));
  std::string hash = identity::ErasureHash(salt, *key);
  std::optional<absl::Status> delivered;
  auto producer = kafka::Producer::Create(
      {bootstrap, {}}, [&](uint64_t, absl::Status s) { delivered = s; });
  if (!producer.ok()) return Fail(producer.status());
  kafka::OutRecord r;
  r.topic = topic;
  r.key = hash;
  r.value =
      absl::StrCat(R"({"identifierHashes":[")", hash, R"("],"requestedAt":")",
                   FormatRfc3339(WallNowMicros()), R"("})");
  r.headers = {{"source", "custhub"},
               {"event-type", "erasure.requested"},
               {"content-type", "application/json"}};
  if (auto s = (*producer)->Produce(r, 1); !s.ok()) return Fail(s);
  if (auto s = (*producer)->Flush(30000); !s.ok()) return Fail(s);
  if (!delivered.has_value()) {
    return Fail(absl::UnavailableError("erasure request not acknowledged"));
  }
  if (!delivered->ok()) return Fail(*delivered);
  std::printf("erasure requested: %s (hash %s)\n",
              key->substr(0, key->find(':')).c_str(), hash.c_str());
  return kExitOk;
}

}  // namespace custhub::cli
