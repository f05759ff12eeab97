// The settings every window operator shares: trigger, allowed lateness and where late
// elements go. Thread-safety: a plain value.
#pragma once

#include <string>

#include "dataflow/core/status.hpp"
#include "dataflow/time/timestamp.hpp"
#include "dataflow/window/window_trigger.hpp"

namespace dataflow {

struct window_options {
  /// Default: event time.
  window_trigger trigger = window_trigger::event_time();
  /// How long after a window's end - 1 (in event time) its state is kept so that late elements
  /// update and re-fire it. Default: 0.
  duration_ms allowed_lateness = 0;
  /// The side output that receives elements too late for every window they belong to; empty
  /// means they are dropped (and counted). Default: empty.
  std::string late_tag;
  /// A watermark that fires more results than this is served in steps, so that its output
  /// leaves under backpressure instead of piling up (see operator.hpp). Default: 16384.
  std::size_t max_output_per_step = 16384;

  [[nodiscard]] status validate() const;
};

}  // namespace dataflow
