// When each window's result could first be known, for measuring latency (content_metrics run
// --latency). An enriched event waits for its window [E - size, E) by design; what the
// pipeline adds is the time from the moment the window is complete to the output. The window
// is complete when the watermark reaches E - 1: under bounded out-of-orderness (watermark =
// max timestamp - delay - 1) that is when every source instance has generated a record with
// a timestamp of at least E + delay. This clock records, per source instance and window end,
// the steady-clock time of that first record; a window is released at the latest of them.
// Thread-safety: on_generated(i, ...) from source instance i only (its calls are serialized);
// released_at() from any thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "dataflow/time/timestamp.hpp"

namespace dataflow::apps {

class window_release_clock {
 public:
  /// Window ends first_end, first_end + slide, ... (count of them), for `instances` source
  /// instances whose watermarks lag `delay` ms behind their largest timestamp.
  window_release_clock(timestamp first_end, duration_ms slide, duration_ms delay, std::size_t count,
                       int instances)
      : first_end_(first_end),
        slide_(slide),
        delay_(delay),
        count_(count),
        instances_(static_cast<std::size_t>(instances)),
        next_(instances_, first_end),
        released_(std::make_unique<std::atomic<std::int64_t>[]>(count * instances_)) {
    for (std::size_t i = 0; i < count * instances_; ++i) released_[i].store(0);
  }

  /// Instance `instance` generated a record at `ts`; now_ns() is the steady-clock time (asked
  /// only when the record completes a window, so that the other records cost a comparison).
  template <class NowNs>
  void on_generated(int instance, timestamp ts, NowNs&& now_ns) noexcept {
    auto& next = next_[static_cast<std::size_t>(instance)].end;
    for (; ts >= next + delay_; next += slide_) {
      const auto w = static_cast<std::size_t>((next - first_end_) / slide_);
      if (w >= count_) {
        next = max_timestamp - delay_;  // past the last window this clock follows
        return;
      }
      released_[w * instances_ + static_cast<std::size_t>(instance)].store(
          now_ns(), std::memory_order_release);
    }
  }

  /// The steady-clock time at which the window ending at `end` became complete, or nullopt
  /// when some instance has not released it (it fired at the end of the input, or is not on
  /// this clock's grid).
  [[nodiscard]] std::optional<std::int64_t> released_at(timestamp end) const noexcept {
    if (end < first_end_ || (end - first_end_) % slide_ != 0) return std::nullopt;
    const auto w = static_cast<std::size_t>((end - first_end_) / slide_);
    if (w >= count_) return std::nullopt;
    std::int64_t latest = 0;
    for (std::size_t i = 0; i < instances_; ++i) {
      const auto t = released_[w * instances_ + i].load(std::memory_order_acquire);
      if (t == 0) return std::nullopt;
      latest = std::max(latest, t);
    }
    return latest;
  }

 private:
  struct alignas(64) next_end {  // one cache line per instance: written by its thread only
    timestamp end;
    next_end(timestamp e) : end(e) {}  // NOLINT: built by the vector's fill constructor
  };

  timestamp first_end_;
  duration_ms slide_, delay_;
  std::size_t count_, instances_;
  std::vector<next_end> next_;
  std::unique_ptr<std::atomic<std::int64_t>[]> released_;  // [window][instance]; 0: not yet
};

}  // namespace dataflow::apps
