// A time window [start, end) and Flink's rule for where windows start. A window fires when the
// watermark reaches max_timestamp() = end - 1, and its result carries that timestamp.
// Thread-safety: plain values.
#pragma once

#include <compare>

#include "dataflow/time/timestamp.hpp"

namespace dataflow {

struct time_window {
  timestamp start = 0;
  timestamp end = 0;

  /// The last timestamp inside the window; the window fires when the watermark reaches it.
  [[nodiscard]] constexpr timestamp max_timestamp() const noexcept { return end - 1; }
  [[nodiscard]] constexpr bool contains(timestamp t) const noexcept {
    return t >= start && t < end;
  }
  /// Flink's rule for merging sessions: overlapping or touching windows intersect.
  [[nodiscard]] constexpr bool intersects(const time_window& o) const noexcept {
    return start <= o.end && end >= o.start;
  }
  /// The smallest window covering both.
  [[nodiscard]] constexpr time_window cover(const time_window& o) const noexcept {
    return {start < o.start ? start : o.start, end > o.end ? end : o.end};
  }

  friend constexpr auto operator<=>(const time_window&, const time_window&) = default;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(start, end);
  }
};

/// The start of the window of `size` containing `ts`, with windows shifted by `offset`:
/// floor((ts - offset) / size) * size + offset, also for negative timestamps (Flink's
/// TimeWindow.getWindowStartWithOffset).
constexpr timestamp window_start(timestamp ts, duration_ms offset, duration_ms size) noexcept {
  const timestamp remainder = (ts - offset) % size;
  return remainder < 0 ? ts - (remainder + size) : ts - remainder;
}

}  // namespace dataflow
