// Mailchimp audience webhooks: an application/x-www-form-urlencoded body
// (`type`, `fired_at`, `data[email]`, `data[merges][FNAME]`, ...), one
// canonical Event per record, its event type taken from `type`. Decoding of
// the form uses cpp-httplib's query parser.
//
//   RawRecord r{.body = "type=unsubscribe&fired_at=2024-05-01+10%3A00%3A00"
//                       "&data[email]=ann%40example.com&data[reason]=manual",
//               .source = "mailchimp"};
//   auto events = DecodeMailchimp(r, DecodeOptions{});
//   // events->front().consent().state() == ConsentChange::UNSUBSCRIBED
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "connectors/common/record.h"
#include "custhub/v1/event.pb.h"

namespace custhub::connectors {

// subscribe / unsubscribe -> ConsentChange; cleaned -> EmailEngagement
// BOUNCED (SPAM_COMPLAINT when data[reason] is "abuse"); profile ->
// CustomerUpdate with names and phone; upemail -> CustomerUpdate carrying
// both the old and the new email, which links them; campaign -> no event.
// Errors start with the offending field ("data[email]: missing").
absl::StatusOr<std::vector<custhub::v1::Event>> DecodeMailchimp(
    const RawRecord& r, const DecodeOptions& options);

}  // namespace custhub::connectors
