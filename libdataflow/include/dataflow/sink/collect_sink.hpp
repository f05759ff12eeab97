// A sink that collects everything it receives into shared memory: records, and in order with
// them the watermarks and barriers, for tests and small jobs.
// Thread-safety: instances of one sink append under a mutex, a batch at a time.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <variant>
#include <vector>

#include "dataflow/sink/sink_function.hpp"

namespace dataflow {

/// What a collect sink saw, shared between the job and the code that reads it.
template <class T>
class collected {
 public:
  struct watermark_mark {
    int subtask;
    timestamp wm;
  };
  struct barrier_mark {
    int subtask;
    std::int64_t checkpoint;
  };
  /// An event in arrival order: a record, a watermark or a barrier.
  using event = std::variant<record<T>, watermark_mark, barrier_mark>;

  /// All records received, in arrival order (per instance; instances interleave).
  std::vector<record<T>> records() const {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<record<T>> out;
    for (auto& e : events_)
      if (auto* r = std::get_if<record<T>>(&e)) out.push_back(*r);
    return out;
  }
  /// Just the values, in arrival order.
  std::vector<T> values() const {
    std::vector<T> out;
    for (auto& r : records()) out.push_back(r.value);
    return out;
  }
  std::vector<event> events() const {
    std::lock_guard<std::mutex> g(mu_);
    return events_;
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> g(mu_);
    return count_;
  }
  /// Waits until at least `n` records arrived or `timeout` passed; returns whether they did.
  template <class Duration>
  bool wait_for_records(std::size_t n, Duration timeout) const {
    std::unique_lock<std::mutex> g(mu_);
    return cv_.wait_for(g, timeout, [&] { return count_ >= n; });
  }

  // Called by the sink instances.
  void add(const std::vector<record<T>>& rs) {
    std::lock_guard<std::mutex> g(mu_);
    events_.insert(events_.end(), rs.begin(), rs.end());
    count_ += rs.size();
    cv_.notify_all();
  }
  void add_mark(event e) {
    std::lock_guard<std::mutex> g(mu_);
    events_.push_back(std::move(e));
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<event> events_;
  std::size_t count_ = 0;
};

template <class T>
class collect_sink_function final : public sink_function<T> {
 public:
  explicit collect_sink_function(std::shared_ptr<collected<T>> into) : into_(std::move(into)) {}
  void open(const operator_info& info) override { subtask_ = info.subtask; }
  void write(const std::vector<record<T>>& rs) override { into_->add(rs); }
  void on_watermark(timestamp wm) override {
    into_->add_mark(typename collected<T>::watermark_mark{subtask_, wm});
  }
  void on_barrier(std::int64_t id) override {
    into_->add_mark(typename collected<T>::barrier_mark{subtask_, id});
  }

 private:
  std::shared_ptr<collected<T>> into_;
  int subtask_ = 0;
};

}  // namespace dataflow
