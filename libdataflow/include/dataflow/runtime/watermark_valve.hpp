// The watermark valve: an operator's input watermark is the minimum over its live input
// channels; ended and idle channels are left out. It reports a new watermark only when that
// minimum advances. Thread-safety: owned by one operator instance.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "dataflow/time/timestamp.hpp"

namespace dataflow {

class watermark_valve {
 public:
  explicit watermark_valve(std::size_t channels);

  /// Channel `ch` reports watermark `t`. Returns the combined watermark if it advanced.
  std::optional<timestamp> on_watermark(std::size_t ch, timestamp t);

  /// Channel `ch` ended: it no longer holds the minimum back.
  std::optional<timestamp> on_end(std::size_t ch);

  /// Marks channel `ch` idle (left out of the minimum) or active again.
  std::optional<timestamp> set_idle(std::size_t ch, bool idle);

  /// The last combined watermark reported (min_timestamp before the first).
  [[nodiscard]] timestamp current() const noexcept { return combined_; }

  /// The watermark channel `ch` last reported.
  [[nodiscard]] timestamp channel_watermark(std::size_t ch) const { return channels_[ch].wm; }

 private:
  struct channel_state {
    timestamp wm = min_timestamp;
    bool ended = false;
    bool idle = false;
  };
  std::optional<timestamp> recompute();

  std::vector<channel_state> channels_;
  timestamp combined_ = min_timestamp;
};

}  // namespace dataflow
