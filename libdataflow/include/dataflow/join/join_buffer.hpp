// The elements of one key on one side of a join, sorted by timestamp (equal timestamps in
// arrival order): a plain vector, so that in-order input appends, a time range is two binary
// searches and expiry, which follows timestamps, erases a prefix. This is the value a join
// keeps in the keyed state store, so it is snapshotted by key group like any keyed state.
// Thread-safety: plain value.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include <cereal/types/vector.hpp>

#include "dataflow/record/batch.hpp"
#include "dataflow/record/record.hpp"

namespace dataflow {

template <class T>
struct join_buffer {
  std::vector<record<T>> items;

  [[nodiscard]] bool empty() const noexcept { return items.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return items.size(); }
  /// The smallest timestamp; the buffer must not be empty.
  [[nodiscard]] timestamp front_ts() const noexcept { return items.front().ts; }

  void insert(const record<T>& r) {
    if (items.empty() || items.back().ts <= r.ts) {
      items.push_back(r);
      return;
    }
    auto at = std::upper_bound(items.begin(), items.end(), r.ts,
                               [](timestamp t, const record<T>& e) { return t < e.ts; });
    items.insert(at, r);
  }

  /// The elements with from <= ts <= to, as a pair of iterators.
  [[nodiscard]] auto range(timestamp from, timestamp to) const {
    auto lo = std::lower_bound(items.begin(), items.end(), from,
                               [](const record<T>& e, timestamp t) { return e.ts < t; });
    auto hi = std::upper_bound(lo, items.end(), to,
                               [](timestamp t, const record<T>& e) { return t < e.ts; });
    return std::pair{lo, hi};
  }

  /// The first element with ts >= from, or nullptr.
  [[nodiscard]] const record<T>* first_from(timestamp from) const {
    auto it = std::lower_bound(items.begin(), items.end(), from,
                               [](const record<T>& e, timestamp t) { return e.ts < t; });
    return it == items.end() ? nullptr : &*it;
  }

  /// Erases the prefix of elements whose timestamp satisfies `expired`, which must hold for
  /// every timestamp below one that satisfies it (expiry follows time).
  template <class Pred>
  void erase_expired(Pred expired) {
    auto end = std::partition_point(items.begin(), items.end(),
                                    [&](const record<T>& e) { return expired(e.ts); });
    items.erase(items.begin(), end);
  }

  template <class Archive>
  void serialize(Archive& ar) requires detail::is_cereal_serializable_v<T> {
    ar(items);
  }
};

/// One key's state in a join: both sides' buffers and its queued wake-up, if any. The wake-up
/// is saved because a state on RocksDB leaves its cache and comes back before it is due; a
/// restore queues afresh.
template <class L, class R>
struct join_key_state {
  join_buffer<L> left;
  join_buffer<R> right;
  timestamp event_wake = max_timestamp;
  bool wake_queued = false;

  [[nodiscard]] bool empty() const noexcept { return left.empty() && right.empty(); }

  template <class Archive>
  void save(Archive& ar) const
      requires(detail::is_cereal_serializable_v<L>&& detail::is_cereal_serializable_v<R>) {
    ar(left.items, right.items, event_wake, wake_queued);
  }
  template <class Archive>
  void load(Archive& ar) requires(
      detail::is_cereal_serializable_v<L>&& detail::is_cereal_serializable_v<R>) {
    ar(left.items, right.items, event_wake, wake_queued);
  }
};

}  // namespace dataflow
