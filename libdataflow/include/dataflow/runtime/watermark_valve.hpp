// The watermark valve: an operator's input watermark is the minimum over its live input
// channels; ended and idle channels are left out. It reports a new watermark only when that
// minimum advances, so its output never goes backwards. As in Flink's StatusWatermarkValve, a
// channel that becomes active again rejoins the minimum only once its watermark has caught up
// with the valve's (until then its records are simply late), and when the last active channel
// goes idle the valve moves to the highest watermark of its live channels.
// Thread-safety: owned by one operator instance.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "dataflow/time/timestamp.hpp"
#include "dataflow/time/watermark_status.hpp"

namespace dataflow {

class watermark_valve {
 public:
  explicit watermark_valve(std::size_t channels);

  /// Channel `ch` reports watermark `t`. A watermark from an idle channel makes it active
  /// again. Returns the combined watermark if it advanced.
  std::optional<timestamp> on_watermark(std::size_t ch, timestamp t);

  /// Channel `ch` ended: it no longer holds the minimum back.
  std::optional<timestamp> on_end(std::size_t ch);

  /// Marks channel `ch` idle (left out of the minimum) or active again.
  std::optional<timestamp> set_idle(std::size_t ch, bool idle);
  std::optional<timestamp> on_status(std::size_t ch, watermark_status s) {
    return set_idle(ch, s == watermark_status::idle);
  }

  /// The last combined watermark reported (min_timestamp before the first).
  [[nodiscard]] timestamp current() const noexcept { return combined_; }

  /// The watermark channel `ch` last reported.
  [[nodiscard]] timestamp channel_watermark(std::size_t ch) const { return channels_[ch].wm; }
  [[nodiscard]] bool channel_idle(std::size_t ch) const { return channels_[ch].idle; }

  /// The valve's own status: idle when every channel that has not ended is idle (and at least
  /// one has not ended). Downstream should see this status.
  [[nodiscard]] watermark_status status() const noexcept;

 private:
  struct channel_state {
    timestamp wm = min_timestamp;
    bool ended = false;
    bool idle = false;
    bool aligned = true;  // takes part in the minimum (active and caught up)
  };
  std::optional<timestamp> recompute();
  std::optional<timestamp> advance_to(timestamp t);
  [[nodiscard]] bool any_active() const noexcept;

  std::vector<channel_state> channels_;
  timestamp combined_ = min_timestamp;
};

}  // namespace dataflow
