#include "src/store/windowed_log.h"

#include <rocksdb/merge_operator.h>
#include <rocksdb/slice.h>

#include <algorithm>
#include <deque>
#include <vector>

#include "src/store/state_store.h"

namespace custhub::store {
namespace {

constexpr size_t kFrameHeader = 12;  // time (8) and size (4)

// One item as it sits in a piece: its time and its whole frame.
struct Frame {
  int64_t at;
  absl::string_view bytes;
};

// Appends the whole frames of `piece` to `frames`.
void Split(absl::string_view piece, std::vector<Frame>* frames) {
  while (piece.size() >= kFrameHeader) {
    uint64_t size = DecodeBigEndian64(piece.substr(8, 4));
    if (piece.size() - kFrameHeader < size) return;
    frames->push_back({static_cast<int64_t>(DecodeBigEndian64(piece)),
                       piece.substr(0, kFrameHeader + size)});
    piece.remove_prefix(kFrameHeader + size);
  }
}

class WindowedLogOperator : public rocksdb::MergeOperator {
 public:
  explicit WindowedLogOperator(
      std::shared_ptr<const std::atomic<int64_t>> window)
      : window_(std::move(window)) {}

  bool FullMergeV2(const MergeOperationInput& in,
                   MergeOperationOutput* out) const override {
    std::vector<Frame> frames;
    if (in.existing_value != nullptr) Split(View(*in.existing_value), &frames);
    for (const rocksdb::Slice& op : in.operand_list) Split(View(op), &frames);
    Join(frames, &out->new_value);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice&,
                         const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value,
                         rocksdb::Logger*) const override {
    std::vector<Frame> frames;
    for (const rocksdb::Slice& op : operands) Split(View(op), &frames);
    Join(frames, new_value);
    return true;
  }

  const char* Name() const override { return "custhub.WindowedLog"; }

 private:
  static absl::string_view View(const rocksdb::Slice& s) {
    return absl::string_view(s.data(), s.size());
  }

  void Join(const std::vector<Frame>& frames, std::string* out) const {
    int64_t window = window_->load(std::memory_order_relaxed);
    int64_t newest = INT64_MIN;
    for (const Frame& f : frames) newest = std::max(newest, f.at);
    bool trim = window > 0 && newest > INT64_MIN + window;
    int64_t oldest_kept = trim ? newest - window : INT64_MIN;
    out->clear();
    for (const Frame& f : frames) {
      if (f.at >= oldest_kept) out->append(f.bytes.data(), f.bytes.size());
    }
  }

  std::shared_ptr<const std::atomic<int64_t>> window_;
};

}  // namespace

void AppendLogItem(std::string* log, int64_t at, absl::string_view item) {
  log->append(EncodeBigEndian64(static_cast<uint64_t>(at)));
  log->append(EncodeBigEndian64(item.size()).substr(4));
  log->append(item.data(), item.size());
}

bool ForEachLogItem(absl::string_view log,
                    const std::function<void(int64_t, absl::string_view)>& fn) {
  std::vector<Frame> frames;
  Split(log, &frames);
  size_t whole = 0;
  for (const Frame& f : frames) {
    fn(f.at, f.bytes.substr(kFrameHeader));
    whole += f.bytes.size();
  }
  return whole == log.size();
}

std::shared_ptr<rocksdb::MergeOperator> NewWindowedLogOperator(
    std::shared_ptr<const std::atomic<int64_t>> window) {
  return std::make_shared<WindowedLogOperator>(std::move(window));
}

}  // namespace custhub::store
