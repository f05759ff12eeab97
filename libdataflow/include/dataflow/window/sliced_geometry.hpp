// Tumbling and sliding windows as one grid: windows of `size` ms starting every `slide` ms,
// shifted by `offset` (tumbling windows have slide == size). What operators that run on the
// grid take: the sliced window operator, enrichment and the window join.
// Thread-safety: a plain value.
#pragma once

#include "dataflow/window/window_assigners.hpp"

namespace dataflow {

struct sliced_geometry {
  duration_ms size = 0;
  duration_ms slide = 0;
  duration_ms offset = 0;

  static sliced_geometry of(const tumbling_windows& w) { return {w.size(), w.size(), w.offset()}; }
  static sliced_geometry of(const sliding_windows& w) { return {w.size(), w.slide(), w.offset()}; }
};

}  // namespace dataflow
