// Wake-up times per key for window operators, bucketed by time: window ends fall on a grid, so
// many keys share a time and one bucket holds them all. A key may be queued more than once;
// the operator keeps each key's current wake time and skips entries that no longer match it,
// which is cheaper than deleting. Thread-safety: owned by one operator instance.
#pragma once

#include <map>
#include <optional>
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
    while (!buckets_.empty() && buckets_.begin()->first <= now) {
      auto node = buckets_.extract(buckets_.begin());
      for (auto& key : node.mapped()) fn(node.key(), key);
    }
  }

  [[nodiscard]] std::optional<timestamp> next() const {
    if (buckets_.empty()) return {};
    return buckets_.begin()->first;
  }
  [[nodiscard]] bool empty() const noexcept { return buckets_.empty(); }
  void clear() noexcept { buckets_.clear(); }

 private:
  std::map<timestamp, std::vector<K>> buckets_;
};

}  // namespace dataflow
