// How a source derives watermarks from the timestamps it reads. Issue #3 adds idleness,
// punctuated watermarks and the watermark-assigner operator on top of this.
// Thread-safety: plain values; a watermark_generator is owned by one source instance.
#pragma once

#include <algorithm>
#include <optional>

#include "dataflow/time/timestamp.hpp"

namespace dataflow {

/// The policy, chosen per source.
class watermark_strategy {
 public:
  enum class kind { none, monotonous, bounded_out_of_orderness };

  /// No watermarks until the end of input (then the final one).
  static watermark_strategy none() { return watermark_strategy{kind::none, 0}; }
  /// Timestamps never decrease: watermark = max timestamp seen - 1.
  static watermark_strategy monotonous() { return watermark_strategy{kind::monotonous, 0}; }
  /// Elements are at most `max_delay` ms late: watermark = max timestamp - max_delay - 1.
  static watermark_strategy bounded_out_of_orderness(duration_ms max_delay) {
    return watermark_strategy{kind::bounded_out_of_orderness, max_delay};
  }

  [[nodiscard]] kind what() const noexcept { return kind_; }
  [[nodiscard]] duration_ms max_delay() const noexcept { return max_delay_; }

 private:
  watermark_strategy(kind k, duration_ms d) : kind_(k), max_delay_(d) {}
  kind kind_;
  duration_ms max_delay_;
};

/// Tracks the maximum timestamp and says when the watermark advances.
class watermark_generator {
 public:
  explicit watermark_generator(watermark_strategy s) : strategy_(s) {}

  void on_event(timestamp ts) noexcept { max_ts_ = std::max(max_ts_, ts); }

  /// The watermark to emit now, if it advanced since the last call.
  std::optional<timestamp> poll() noexcept {
    if (strategy_.what() == watermark_strategy::kind::none || max_ts_ == min_timestamp) return {};
    timestamp wm = max_ts_ - strategy_.max_delay() - 1;
    if (wm <= emitted_) return {};
    emitted_ = wm;
    return wm;
  }

 private:
  watermark_strategy strategy_;
  timestamp max_ts_ = min_timestamp;
  timestamp emitted_ = min_timestamp;
};

}  // namespace dataflow
