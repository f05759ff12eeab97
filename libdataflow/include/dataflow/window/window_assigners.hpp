// Window assigners for event time, with Flink's semantics: tumbling (size, offset), sliding
// (size, slide, offset) and session (a gap, fixed or computed per element). Session windows
// start as [ts, ts + gap) and merge when they intersect (touching counts).
// Thread-safety: const objects, shareable.
#pragma once

#include <functional>
#include <vector>

#include "dataflow/core/status.hpp"
#include "dataflow/window/time_window.hpp"

namespace dataflow {

class tumbling_windows {
 public:
  explicit tumbling_windows(duration_ms size, duration_ms offset = 0)
      : size_(size), offset_(offset) {}
  [[nodiscard]] status validate() const;
  [[nodiscard]] time_window assign(timestamp ts) const noexcept {
    auto s = window_start(ts, offset_, size_);
    return {s, s + size_};
  }
  [[nodiscard]] duration_ms size() const noexcept { return size_; }
  [[nodiscard]] duration_ms offset() const noexcept { return offset_; }

 private:
  duration_ms size_;
  duration_ms offset_;
};

class sliding_windows {
 public:
  sliding_windows(duration_ms size, duration_ms slide, duration_ms offset = 0)
      : size_(size), slide_(slide), offset_(offset) {}
  [[nodiscard]] status validate() const;

  /// Calls fn(window) for every window containing `ts`, latest start first (Flink's order).
  template <class F>
  void for_each_window(timestamp ts, F&& fn) const {
    for (auto start = window_start(ts, offset_, slide_); start > ts - size_; start -= slide_)
      fn(time_window{start, start + size_});
  }
  [[nodiscard]] std::vector<time_window> assign(timestamp ts) const {
    std::vector<time_window> out;
    for_each_window(ts, [&](const time_window& w) { out.push_back(w); });
    return out;
  }

  /// The slice width: every window is a whole number of slices, and each element belongs to
  /// exactly one slice, so the cost per element does not grow with size / slide.
  [[nodiscard]] duration_ms slice_size() const noexcept;
  /// The slice containing `ts`.
  [[nodiscard]] time_window slice_of(timestamp ts) const noexcept {
    auto w = slice_size();
    auto s = window_start(ts, offset_, w);
    return {s, s + w};
  }

  [[nodiscard]] duration_ms size() const noexcept { return size_; }
  [[nodiscard]] duration_ms slide() const noexcept { return slide_; }
  [[nodiscard]] duration_ms offset() const noexcept { return offset_; }

 private:
  duration_ms size_;
  duration_ms slide_;
  duration_ms offset_;
};

/// Sessions whose gap is computed per element: `gap_fn(const T&) -> duration_ms`. An element
/// opens [ts, ts + gap) and sessions merge as with a fixed gap.
template <class GapFn>
class dynamic_session_windows {
 public:
  explicit dynamic_session_windows(GapFn gap_fn) : gap_fn_(std::move(gap_fn)) {}
  template <class T>
  [[nodiscard]] time_window assign(const T& value, timestamp ts) const {
    return {ts, ts + gap_fn_(value)};
  }

 private:
  GapFn gap_fn_;
};

class session_windows {
 public:
  /// Sessions close after `gap` ms without elements.
  explicit session_windows(duration_ms gap) : gap_(gap) {}
  [[nodiscard]] status validate() const;
  [[nodiscard]] time_window assign(timestamp ts) const noexcept { return {ts, ts + gap_}; }
  [[nodiscard]] duration_ms gap() const noexcept { return gap_; }

  /// Sessions with a gap computed per element by `gap_fn(const T&) -> duration_ms`.
  template <class GapFn>
  static dynamic_session_windows<GapFn> with_dynamic_gap(GapFn gap_fn) {
    return dynamic_session_windows<GapFn>(std::move(gap_fn));
  }

 private:
  duration_ms gap_;
};

/// Merges intersecting windows (Flink's TimeWindow.mergeWindows): sorts `windows` by start
/// and returns the merged windows, each with the indices of the inputs it covers.
struct merged_window {
  time_window window;
  std::vector<std::size_t> sources;
};
std::vector<merged_window> merge_windows(const std::vector<time_window>& windows);

}  // namespace dataflow
