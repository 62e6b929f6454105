// Values by sequence number, for numbers that come in order and nearly
// consecutive (the outbox's outputs in flight): a deque indexed from the
// oldest held number finds, adds and drops one in O(1), where a tree
// searched and rebalanced (~2% of the poll thread end to end). A gap costs
// an empty slot (8 bytes) while an older number is still held.
//
//   BySequence<Pending> in_flight;
//   in_flight.emplace(seq, std::move(p));
//   if (in_flight.contains(seq)) in_flight.at(seq) ...
//   in_flight.erase(seq);  // the oldest moves up past dropped numbers
//
// Thread-safety: none.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>

namespace custhub::streams {

template <typename T>
class BySequence {
 public:
  bool contains(uint64_t seq) const {
    return seq >= base_ && seq - base_ < slots_.size() &&
           slots_[seq - base_] != nullptr;
  }
  // The value held for `seq` (contains(seq) must hold).
  T& at(uint64_t seq) { return *slots_[seq - base_]; }
  // Adds or replaces.
  void emplace(uint64_t seq, T value) {
    if (slots_.empty()) base_ = seq;
    for (; seq < base_; --base_) slots_.emplace_front();
    if (seq - base_ >= slots_.size()) slots_.resize(seq - base_ + 1);
    auto& slot = slots_[seq - base_];
    if (slot == nullptr) ++size_;
    slot = std::make_unique<T>(std::move(value));
  }
  void erase(uint64_t seq) {
    if (!contains(seq)) return;
    slots_[seq - base_].reset();
    --size_;
    while (!slots_.empty() && slots_.front() == nullptr) {
      slots_.pop_front();
      ++base_;
    }
  }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  // The oldest sequence number held (not empty()).
  uint64_t first() const { return base_; }

 private:
  uint64_t base_ = 0;  // the sequence number of slots_.front()
  std::deque<std::unique_ptr<T>> slots_;
  size_t size_ = 0;
};

}  // namespace custhub::streams
