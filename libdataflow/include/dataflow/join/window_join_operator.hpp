// The window join of two keyed streams (Flink's join().where().equalTo().window()): a left and
// a right element with the same key are joined once for every tumbling or sliding window that
// holds both; the results of a window are emitted when it fires, with timestamp
// window.max_timestamp() (end - 1).
// Rules (those of window_operator.hpp, without allowed lateness):
// - A window [start, end) fires when the watermark reaches end - 1.
// - An element is late when every window containing it has fired (the last one's end - 1 <=
//   watermark); late elements are counted and dropped. An element some of whose windows have
//   already fired joins only in the others.
// - Each element is buffered once, not once per window: a firing window takes both sides'
//   elements in [start, end) by binary search, so sliding windows cost no extra state; an
//   element is removed when its last window has fired.
// - The watermark is forwarded unchanged, after the results it fired (as window operators do).
// Thread-safety: owned by one operator instance.
#pragma once

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>

#include "dataflow/join/join_bounds.hpp"
#include "dataflow/join/join_function.hpp"
#include "dataflow/join/join_operator_base.hpp"
#include "dataflow/window/sliced_geometry.hpp"

namespace dataflow {

/// Fn is a join function over (L, R) with output Out (see join_function.hpp).
template <class K, class L, class R, class Out, class KeyL, class KeyR, class Fn>
class window_join_operator final
    : public join_operator_base<window_join_operator<K, L, R, Out, KeyL, KeyR, Fn>, K, L, R, KeyL,
                                KeyR> {
  using base = join_operator_base<window_join_operator, K, L, R, KeyL, KeyR>;
  friend base;
  using base::prev_wm_;
  using base::wm_;
  using typename base::key_state;

 public:
  /// Throws std::invalid_argument when size or slide is not positive.
  window_join_operator(KeyL key_left, KeyR key_right, Fn fn, sliced_geometry g)
      : base(std::move(key_left), std::move(key_right), {}, {}, "window-join-buffers"),
        fn_(std::move(fn)),
        g_(g) {
    if (g_.size <= 0 || g_.slide <= 0)
      throw std::invalid_argument("window join: window size and slide must be positive");
  }

 private:
  /// The start of the last window containing ts, and of the first.
  [[nodiscard]] timestamp last_start(timestamp ts) const noexcept {
    return window_start(ts, g_.offset, g_.slide);
  }
  [[nodiscard]] timestamp first_start(timestamp ts) const noexcept {
    return saturating_add(window_start(saturating_sub(ts, g_.size), g_.offset, g_.slide), g_.slide);
  }
  [[nodiscard]] timestamp max_ts(timestamp start) const noexcept {
    return saturating_add(start, g_.size - 1);
  }
  /// True when every window containing ts fired at watermark wm.
  [[nodiscard]] bool done(timestamp ts, timestamp wm) const noexcept {
    return max_ts(last_start(ts)) <= wm;
  }
  /// The start of the first window containing ts that had not fired at watermark `fired`.
  [[nodiscard]] timestamp first_open(timestamp ts, timestamp fired) const noexcept {
    timestamp st = first_start(ts);
    if (max_ts(st) <= fired)
      st = saturating_add(window_start(saturating_sub(fired, g_.size - 1), g_.offset, g_.slide),
                          g_.slide);
    return st;
  }

  [[nodiscard]] bool is_late_left(timestamp ts) const noexcept { return done(ts, wm_); }
  [[nodiscard]] bool is_late_right(timestamp ts) const noexcept { return done(ts, wm_); }

  void add_left(const record<L>& l, key_state& st, operator_output&) {
    st.left.insert(l);
    this->queue_wake(st, max_ts(first_open(l.ts, wm_)));
  }
  void add_right(const record<R>& r, key_state& st, operator_output&) {
    st.right.insert(r);
    this->queue_wake(st, max_ts(first_open(r.ts, wm_)));
  }

  /// The smallest buffered timestamp >= from on either side.
  [[nodiscard]] std::optional<timestamp> next_ts(const key_state& st, timestamp from) const {
    std::optional<timestamp> n;
    if (auto* l = st.left.first_from(from)) n = l->ts;
    if (auto* r = st.right.first_from(from)) n = n ? std::min(*n, r->ts) : r->ts;
    return n;
  }

  /// Fires the windows whose end - 1 lies in (prev_wm_, wm_], visiting only windows that hold
  /// an element, then drops the elements whose last window has fired.
  void settle(key_state& st, operator_output& out) {
    auto m = next_ts(st, min_timestamp);
    if (!m) return;
    timestamp start = first_open(*m, prev_wm_);
    while (max_ts(start) <= wm_) {
      const timestamp end_ts = max_ts(start);
      auto [lb, le] = st.left.range(start, end_ts);
      auto [rb, re] = st.right.range(start, end_ts);
      if (lb != le && rb != re) {
        auto& records = out.records<Out>();
        for (auto l = lb; l != le; ++l)
          for (auto r = rb; r != re; ++r) {
            collector<Out> c(records, end_ts);
            detail::call_join_function<Out>(fn_, l->value, r->value,
                                            join_context{l->ts, r->ts, end_ts}, c);
          }
      }
      if (start == max_timestamp) break;
      start = saturating_add(start, g_.slide);
      auto n = next_ts(st, start);
      if (!n) break;
      start = std::max(start, first_start(*n));
    }
    st.left.erase_expired([&](timestamp ts) { return done(ts, wm_); });
    st.right.erase_expired([&](timestamp ts) { return done(ts, wm_); });
  }

  void schedule(key_state& st) {
    if (auto m = next_ts(st, min_timestamp)) this->queue_wake(st, max_ts(first_open(*m, wm_)));
  }

  [[nodiscard]] static timestamp output_watermark(timestamp wm) noexcept { return wm; }

  Fn fn_;
  sliced_geometry g_;
};

}  // namespace dataflow
