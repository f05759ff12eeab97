// Wake-up times per key for window operators, bucketed by time: window ends fall on a grid, so
// many keys share a time and one bucket holds them all. A key may be queued more than once;
// the operator keeps each key's current wake time and skips entries that no longer match it,
// which is cheaper than deleting. Thread-safety: owned by one operator instance.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "dataflow/time/timestamp.hpp"

namespace dataflow {

template <class K>
class key_timer_queue {
 public:
  void add(timestamp t, const K& key) { buckets_[t].push_back(key); }

  /// Calls fn(t, key) for every entry with t <= now, in time order. Entries added during the
  /// calls are served in the same pass when they are due.
  template <class F>
  void pop_until(timestamp now, F&& fn) {
    pop_until(now, std::forward<F>(fn), [] { return false; });
  }

  /// The same, but stops after an entry for which stop() is true and returns false; the rest
  /// stays queued, and the next call goes on from there. Returns true when none is due.
  template <class F, class Stop>
  bool pop_until(timestamp now, F&& fn, Stop&& stop) {
    while (!buckets_.empty() && buckets_.begin()->first <= now) {
      auto it = buckets_.begin();
      const timestamp t = it->first;
      if (t != front_time_) settle_front(t);
      // By index, moving the key out: fn may append to this bucket.
      bool stopped = false;
      while (front_done_ < it->second.size()) {
        K key = std::move(it->second[front_done_++]);
        fn(t, key);
        if (stop()) {
          stopped = true;
          break;
        }
      }
      if (front_done_ == it->second.size()) {
        buckets_.erase(it);
        front_time_ = max_timestamp;
        front_done_ = 0;
      }
      if (stopped) return buckets_.empty() || buckets_.begin()->first > now;
    }
    return true;
  }

  [[nodiscard]] std::optional<timestamp> next() const {
    if (buckets_.empty()) return {};
    return buckets_.begin()->first;
  }
  [[nodiscard]] bool empty() const noexcept { return buckets_.empty(); }
  void clear() noexcept {
    buckets_.clear();
    front_time_ = max_timestamp;
    front_done_ = 0;
  }

 private:
  /// The bucket at t becomes the partly served one. Another bucket served in part (only when an
  /// earlier entry was added mid-way) loses its served entries for real.
  void settle_front(timestamp t) {
    if (front_done_ > 0) {
      auto old = buckets_.find(front_time_);
      if (old != buckets_.end())
        old->second.erase(old->second.begin(),
                          old->second.begin() + static_cast<std::ptrdiff_t>(front_done_));
    }
    front_time_ = t;
    front_done_ = 0;
  }

  std::map<timestamp, std::vector<K>> buckets_;
  // Entries of the bucket at front_time_ already served by a pop that stopped mid-way.
  timestamp front_time_ = max_timestamp;
  std::size_t front_done_ = 0;
};

}  // namespace dataflow
