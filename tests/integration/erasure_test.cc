// GDPR erasure end to end: `custhub erase` writes a request, the hub deletes
// the customer, nothing of them stays readable in the state dir, and a
// replay keeps them erased.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_join.h"
#include "custhub/v1/state.pb.h"
#include "src/identity/identifiers.h"
#include "tests/integration/harness.h"
#include "tests/integration/subprocess.h"

using namespace custhub;
using namespace custhub::testing;

namespace {

// Every file under `dir` that contains `needle`.
std::vector<std::string> FilesContaining(const std::string& dir,
                                         const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find(needle) != std::string::npos) {
      hits.push_back(e.path().filename().string());
    }
  }
  return hits;
}

}  // namespace

TEST_CASE("an erased customer is gone from state and stays gone after replay",
          "[integration][erasure]") {
  auto broker = StartBroker(1, 2);
  synth::SyntheticStore synth({.customers = 40, .seed = 3});
  ProduceAll(broker->bootstrap(), synth.records());
  // The shopper to erase: one with orders, a ticket or email activity.
  std::string email, phone;
  for (const auto& [e, want] : synth.expected()) {
    if (want.orders > 0 && (want.tickets > 0 || want.delivered > 0)) {
      email = e;
      phone = want.phone;
      break;
    }
  }
  REQUIRE_FALSE(email.empty());

  TempDir dir;
  std::string state = dir.path + "/live";
  auto hub = streams::Hub::Create(TestHubOptions(broker->bootstrap(), state));
  REQUIRE(hub.ok());
  REQUIRE((*hub)->Start().ok());
  RunUntilCaughtUp(**hub);
  REQUIRE((*hub)->Drain(10000).ok());
  REQUIRE((*(*hub)->store()->Get(store::Cf::kIdentifiers, "email:" + email))
              .has_value());
  REQUIRE_FALSE(FilesContaining(state, email).empty());  // the scan can see it

  auto erase = RunCommand(
      {CUSTHUB_BINARY, "erase", email, "--bootstrap", broker->bootstrap()});
  REQUIRE(erase.exit_code == 0);
  CHECK(erase.out.find("erasure requested") != std::string::npos);
  CHECK(RunCommand({CUSTHUB_BINARY, "erase", "not an id", "--bootstrap",
                    broker->bootstrap()})
            .exit_code == 2);
  RunUntilCaughtUp(**hub);
  REQUIRE((*hub)->Drain(10000).ok());
  RunUntilCaughtUp(**hub);  // the hub's own erasure.completed record
  CHECK((*hub)->stats().erasures == 1);
  for (const auto& key : {"email:" + email, "phone:" + phone}) {
    CHECK_FALSE(
        (*(*hub)->store()->Get(store::Cf::kIdentifiers, key)).has_value());
  }
  // A tombstone went out for the customer.
  auto profiles = ReadTopic(broker->bootstrap(), "customer.profiles");
  CHECK(std::any_of(profiles.begin(), profiles.end(),
                    [](const ConsumedRecord& r) { return r.tombstone; }));
  // Nothing of them is readable anywhere in the state dir.
  INFO("files holding the email: " << absl::StrJoin(
           FilesContaining(state, email), ", "));
  CHECK(FilesContaining(state, email).empty());
  CHECK(FilesContaining(state, phone).empty());
  std::string live_digest = *(*hub)->store()->Digest();

  // Later deliveries for the erased shopper are dropped, not re-created.
  ProduceAll(
      broker->bootstrap(),
      {{"email",
        email,
        R"([{"email":")" + email +
            R"(","timestamp":1767225600,"event":"open","sg_event_id":"late-1"}])",
        {{"source", "sendgrid"}}}});
  RunUntilCaughtUp(**hub);
  CHECK((*hub)->stats().erased_dropped == 1);
  CHECK_FALSE((*(*hub)->store()->Get(store::Cf::kIdentifiers, "email:" + email))
                  .has_value());
  live_digest = *(*hub)->store()->Digest();

  // A replay into a fresh dir reads the erasure requests first: the
  // customer never comes back and the state is the same.
  auto options = TestHubOptions(broker->bootstrap(), dir.path + "/replay");
  options.replay = true;
  options.processor.publish = false;
  auto replay = streams::Hub::Create(options);
  REQUIRE(replay.ok());
  REQUIRE((*replay)->Start().ok());
  RunUntilCaughtUp(**replay);
  CHECK_FALSE(
      (*(*replay)->store()->Get(store::Cf::kIdentifiers, "email:" + email))
          .has_value());
  CHECK(*(*replay)->store()->Digest() == live_digest);
}
