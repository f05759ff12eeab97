#include "dataflow/runtime/watermark_valve.hpp"

#include <algorithm>

namespace dataflow {

watermark_valve::watermark_valve(std::size_t channels) : channels_(channels) {}

std::optional<timestamp> watermark_valve::advance_to(timestamp t) {
  if (t <= combined_) return {};
  combined_ = t;
  return t;
}

bool watermark_valve::any_active() const noexcept {
  for (auto& c : channels_)
    if (!c.ended && !c.idle) return true;
  return false;
}

watermark_status watermark_valve::status() const noexcept {
  bool any_live = false;
  for (auto& c : channels_) {
    if (c.ended) continue;
    any_live = true;
    if (!c.idle) return watermark_status::active;
  }
  return any_live ? watermark_status::idle : watermark_status::active;
}

std::optional<timestamp> watermark_valve::on_watermark(std::size_t ch, timestamp t) {
  auto& c = channels_[ch];
  if (c.ended) return {};
  if (c.idle) {  // a watermark means the channel speaks again
    c.idle = false;
    c.aligned = c.wm >= combined_;
  }
  if (t > c.wm) c.wm = t;
  if (!c.aligned && c.wm >= combined_) c.aligned = true;
  return recompute();
}

std::optional<timestamp> watermark_valve::on_end(std::size_t ch) {
  auto& c = channels_[ch];
  if (c.ended) return {};
  bool was_active = !c.idle;
  c.ended = true;
  if (std::all_of(channels_.begin(), channels_.end(), [](auto& x) { return x.ended; }))
    return advance_to(max_timestamp);
  // The last active channel ended and the others are idle: behave as if it went idle.
  if (was_active && !any_active()) {
    timestamp m = min_timestamp;
    for (auto& x : channels_)
      if (!x.ended) m = std::max(m, x.wm);
    return advance_to(m);
  }
  return recompute();
}

std::optional<timestamp> watermark_valve::set_idle(std::size_t ch, bool idle) {
  auto& c = channels_[ch];
  if (c.ended || c.idle == idle) return {};
  c.idle = idle;
  if (!idle) {
    // Back, but behind the valve: it rejoins the minimum when it catches up, so the output
    // cannot go backwards.
    c.aligned = c.wm >= combined_;
    return recompute();
  }
  c.aligned = false;
  if (!any_active()) {
    // Nothing will advance any more: flush to the highest live watermark (Flink does the
    // same). Only if the channel that went idle was holding the minimum.
    if (c.wm != combined_) return {};
    timestamp m = min_timestamp;
    for (auto& x : channels_)
      if (!x.ended) m = std::max(m, x.wm);
    return advance_to(m);
  }
  return recompute();
}

std::optional<timestamp> watermark_valve::recompute() {
  timestamp m = max_timestamp;
  bool any = false;
  for (auto& c : channels_) {
    if (c.ended || c.idle || !c.aligned) continue;
    any = true;
    m = std::min(m, c.wm);
  }
  if (!any) return {};  // every live channel idle or behind: time stands still
  return advance_to(m);
}

}  // namespace dataflow
