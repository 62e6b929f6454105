// Deterministic order across input partitions. Kafka keeps order within a
// partition only; how a consumer's fetches interleave partitions depends on
// timing. Rules look at several topics at once (a ticket on `support`
// suppresses a review request scheduled by `orders`), so the hub folds
// records in ONE order that follows from the topics' contents alone: a
// k-way merge of the partitions by (record timestamp, topic, partition).
//
// A record is released only when every partition that may still hold an
// earlier one has shown its next record or reported its end (librdkafka's
// partition EOF). So a replay, a restart from stored offsets and a live run
// over records already on the broker fold the same sequence, whatever the
// fetch sizes. Two escape hatches keep a live hub moving, both logged by
// the caller and counted: a partition that neither delivers nor reports its
// end for `max_wait` (broker down) stops holding the others back until it
// delivers again, and more than `max_buffered` held records release the
// earliest regardless.
//
// Before that, Throttle() bounds what is held without touching the order:
// once `pause_at` records are held, partitions holding more than their
// share are to be paused (the consumer stops fetching them and drops what
// it prefetched), so the fetches go to the partitions being waited for;
// each resumes when it is down to half its share, or when the merge holds
// under half of `pause_at`. A paused partition still shows its head, and
// resumes before it runs dry.
//
//   InputMerge<PolledRecord> merge({.max_wait = kMicrosPerSecond});
//   merge.Reset(partitions);
//   for (auto& m : polled) m.is_partition_eof()
//       ? merge.MarkEnd(m.topic(), m.partition()) : merge.Add(PolledRecord(m));
//   merge.Take(batch_max, WallNowMicros(), &ready);  // fold `ready` in order
//   merge.Throttle(&pause, &resume, more_after);  // then at the consumer
//
// T needs topic(), partition() and timestamp_ms(). Thread-safety: none.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/common/time.h"

namespace custhub::streams {

// When to log an escape that recurs for as long as a backlog lasts (the
// merge's buffer full): the first at once, then at most once per `every`,
// with how many came since the last report.
//
//   RepeatReport full(60 * kMicrosPerSecond);
//   if (uint64_t n = full.Due(merge.stats().forced, now)) Log(..., n);
class RepeatReport {
 public:
  explicit RepeatReport(Micros every) : every_(every) {}
  // `total`: escapes since start. How many to report now (0: none).
  uint64_t Due(uint64_t total, Micros now) {
    if (total <= reported_) return 0;
    if (reported_ > 0 && now - reported_at_ < every_) return 0;
    uint64_t n = total - reported_;
    reported_ = total;
    reported_at_ = now;
    return n;
  }

 private:
  Micros every_;
  uint64_t reported_ = 0;
  Micros reported_at_ = 0;
};

struct MergeOptions {
  // How long a partition known to have unread records may hold back the
  // others before they go ahead without it. Default: 1 s.
  Micros max_wait = kMicrosPerSecond;
  // Held records beyond which the earliest is released anyway. Default:
  // 200000.
  size_t max_buffered = 200000;
  // Held records from which Throttle() pauses partitions running ahead
  // (0: never). Default: 50000.
  size_t pause_at = 50000;
};

struct MergeStats {
  uint64_t waits_expired = 0;  // partitions given up on after max_wait
  uint64_t forced = 0;         // records released because the buffer was full
  uint64_t pauses = 0;         // partitions Throttle() asked to pause
};

template <typename T>
class InputMerge {
 public:
  explicit InputMerge(MergeOptions options = {}) : options_(options) {}

  // The partitions to merge. Each holds the others back until it shows a
  // record or its end.
  void Reset(const std::vector<std::pair<std::string, int32_t>>& partitions) {
    parts_.clear();
    buffered_ = 0;
    for (const auto& [topic, p] : partitions) parts_[{topic, p}];
  }

  void Add(T record) {
    Part& part = parts_[{std::string(record.topic()), record.partition()}];
    part.queue.push_back(std::move(record));
    part.at_end = false;
    part.waiting_since = 0;
    ++buffered_;
  }

  // The partition's end was reached: it holds nothing back until its next
  // record.
  void MarkEnd(absl::string_view topic, int32_t partition) {
    Part& part = parts_[{std::string(topic), partition}];
    part.at_end = true;
    part.waiting_since = 0;
  }

  // Moves up to `max` records, in merge order, that no partition can
  // precede any more, to the end of `out`. Returns how many.
  size_t Take(size_t max, Micros now, std::vector<T>* out) {
    size_t holding = 0;  // empty partitions that may still have records
    std::vector<Head> heads;
    for (auto& [tp, part] : parts_) {
      if (!part.queue.empty()) {
        heads.push_back({part.queue.front().timestamp_ms(), &tp, &part});
      } else if (Holds(part, now)) {
        ++holding;
      }
    }
    std::make_heap(heads.begin(), heads.end(), Later);
    size_t taken = 0;
    while (taken < max && !heads.empty()) {
      if (holding > 0) {
        if (buffered_ < options_.max_buffered) break;
        ++stats_.forced;
      }
      std::pop_heap(heads.begin(), heads.end(), Later);
      Head head = heads.back();
      heads.pop_back();
      out->push_back(std::move(head.part->queue.front()));
      head.part->queue.pop_front();
      --buffered_;
      ++taken;
      if (!head.part->queue.empty()) {
        heads.push_back(
            {head.part->queue.front().timestamp_ms(), head.tp, head.part});
        std::push_heap(heads.begin(), heads.end(), Later);
      } else {
        head.part->gave_up = false;  // more may be on the broker
        if (Holds(*head.part, now)) ++holding;
      }
    }
    return taken;
  }

  using Tp = std::pair<std::string, int32_t>;
  // Partitions to pause and to resume now (see the top of this file); the
  // merge counts them as paused from here on. Only partitions for which
  // `more_after(tp, newest held record)` is true are paused: pausing drops
  // the consumer's prefetched events of a partition, its end among them,
  // and an end dropped would not be reported again.
  template <typename MoreAfter>
  void Throttle(std::vector<Tp>* pause, std::vector<Tp>* resume,
                MoreAfter more_after) {
    if (options_.pause_at == 0 || parts_.empty()) return;
    const size_t share = std::max<size_t>(options_.pause_at / parts_.size(), 2);
    const bool crowded = buffered_ >= options_.pause_at;
    const bool relieved = buffered_ < options_.pause_at / 2;
    for (auto& [tp, part] : parts_) {
      size_t held = part.queue.size();
      if (!part.paused && crowded && held > share &&
          more_after(tp, part.queue.back())) {
        part.paused = true;
        ++stats_.pauses;
        pause->push_back(tp);
      } else if (part.paused && (relieved || held <= share / 2)) {
        part.paused = false;
        resume->push_back(tp);
      }
    }
  }

  size_t buffered() const { return buffered_; }
  // True when records are held back waiting for another partition.
  bool waiting() const { return buffered_ > 0 && !AllHeadsKnown(); }
  const MergeStats& stats() const { return stats_; }

 private:
  struct Part {
    std::deque<T> queue;
    bool at_end = false;
    bool paused = false;       // by Throttle()
    bool gave_up = false;      // max_wait passed; not waited for until it
                               // delivers again
    Micros waiting_since = 0;  // when it first held the others back
  };

  struct Head {
    int64_t timestamp_ms;
    const Tp* tp;
    Part* part;
  };
  // Heap order: the earliest (timestamp, topic, partition) on top.
  static bool Later(const Head& a, const Head& b) {
    return std::tie(a.timestamp_ms, *a.tp) > std::tie(b.timestamp_ms, *b.tp);
  }

  // Whether an empty partition holds the others back now; gives up on it
  // once it has for max_wait.
  bool Holds(Part& part, Micros now) {
    if (part.at_end || part.gave_up) return false;
    if (part.waiting_since == 0) part.waiting_since = now;
    if (now - part.waiting_since < options_.max_wait) return true;
    part.gave_up = true;
    ++stats_.waits_expired;
    return false;
  }

  bool AllHeadsKnown() const {
    for (const auto& [tp, part] : parts_) {
      if (part.queue.empty() && !part.at_end && !part.gave_up) return false;
    }
    return true;
  }

  MergeOptions options_;
  std::map<Tp, Part> parts_;
  size_t buffered_ = 0;
  MergeStats stats_;
};

}  // namespace custhub::streams
