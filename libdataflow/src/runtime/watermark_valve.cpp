#include "dataflow/runtime/watermark_valve.hpp"

#include <algorithm>

namespace dataflow {

watermark_valve::watermark_valve(std::size_t channels) : channels_(channels) {}

std::optional<timestamp> watermark_valve::on_watermark(std::size_t ch, timestamp t) {
  auto& c = channels_[ch];
  c.idle = false;  // a watermark means the channel speaks again
  if (t > c.wm) c.wm = t;
  return recompute();
}

std::optional<timestamp> watermark_valve::on_end(std::size_t ch) {
  channels_[ch].ended = true;
  return recompute();
}

std::optional<timestamp> watermark_valve::set_idle(std::size_t ch, bool idle) {
  channels_[ch].idle = idle;
  return recompute();
}

std::optional<timestamp> watermark_valve::recompute() {
  timestamp m = max_timestamp;
  bool any_active = false, all_ended = true;
  for (auto& c : channels_) {
    if (!c.ended) all_ended = false;
    if (c.ended || c.idle) continue;
    any_active = true;
    m = std::min(m, c.wm);
  }
  // With every channel idle time stands still; with every channel ended it is over.
  if (!any_active && !all_ended) return {};
  if (m <= combined_) return {};
  combined_ = m;
  return m;
}

}  // namespace dataflow
