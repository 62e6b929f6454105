// One background thread that runs one task at a time, for the processor's
// second core: it decodes records ahead of the fold, renders a batch's
// outputs beside the poll thread (ForEachOnBoth), and writes a batch to
// RocksDB while the poll thread folds the next.
//
//   Worker w;
//   w.Run([&] { ... });  // starts at once on the worker thread
//   ...                  // meanwhile, other work here
//   w.Wait();            // the task has returned
//
// Lifecycle: the thread starts with the Worker and ends with it (after the
// running task). Thread-safety: Run and Wait belong to one owning thread;
// a task must not call them.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace custhub {

class Worker {
 public:
  Worker() : thread_([this] { Loop(); }) {}
  ~Worker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Hands the worker `task`; waits first for the one before, if any.
  void Run(std::function<void()> task) {
    Wait();
    {
      std::lock_guard<std::mutex> lock(mu_);
      task_ = std::move(task);
      busy_ = true;
    }
    cv_.notify_all();
  }

  // Blocks until the task handed over last has returned.
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !busy_; });
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || task_ != nullptr; });
      if (task_ == nullptr) return;  // stopping, nothing left to run
      std::function<void()> task = std::move(task_);
      task_ = nullptr;
      lock.unlock();
      task();
      lock.lock();
      busy_ = false;
      cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> task_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

// Calls fn(i) for every i in [0, n), on the calling thread and on `worker`
// together: both take the next `grain` indexes until none are left, so a
// thread the OS holds back does not hold the other. Returns once every
// call has returned. Small n, or no worker, runs on the calling thread
// alone (a handover costs more than a few calls). fn must be safe to call
// from two threads at once for different i.
template <typename Fn>
void ForEachOnBoth(Worker* worker, size_t n, const Fn& fn, size_t grain = 16) {
  std::atomic<size_t> next{0};
  auto take = [&] {
    for (;;) {
      size_t begin = next.fetch_add(grain, std::memory_order_relaxed);
      if (begin >= n) return;
      size_t end = std::min(n, begin + grain);
      for (size_t i = begin; i < end; ++i) fn(i);
    }
  };
  if (worker == nullptr || n <= 2 * grain) {
    take();
    return;
  }
  worker->Run(take);
  take();
  worker->Wait();
}

}  // namespace custhub
