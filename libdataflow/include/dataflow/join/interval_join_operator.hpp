// The interval join of two keyed streams (Flink's IntervalJoinOperator): a left element l and a
// right element r with the same key are joined when l.ts + lower <= r.ts <= l.ts + upper (each
// bound inclusive or exclusive, see join_bounds.hpp); the result carries max(l.ts, r.ts).
// Rules:
// - An element is late when its timestamp is below the current watermark (ts < wm, Flink's
//   isLate); late elements are counted and dropped, or sent to their side's late-data output.
// - Every on-time element is joined at once with the other side's buffered elements of its key,
//   then buffered for as long as an element of the other side still to come could match it:
//   a left element until the watermark passes l.ts + upper, a right element until it passes
//   r.ts - lower (with the exclusive bounds tightened by 1 ms). Then it is removed.
// - The forwarded watermark is the input watermark - 1: an on-time element may carry the
//   watermark's own timestamp, and so may a result made with it; wm - 1 keeps every result
//   after the watermark that precedes it (see docs/joins.md).
// Thread-safety: owned by one operator instance.
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>

#include "dataflow/join/join_bounds.hpp"
#include "dataflow/join/join_function.hpp"
#include "dataflow/join/join_operator_base.hpp"

namespace dataflow {

/// Bounds and late-data outputs of an interval join.
struct interval_join_options {
  join_bounds bounds;
  /// Side output for late left elements; empty: dropped (and counted). Default: empty.
  std::string left_late_tag;
  /// Side output for late right elements; empty: dropped (and counted). Default: empty.
  std::string right_late_tag;
};

/// Fn is a join function over (L, R) with output Out (see join_function.hpp).
template <class K, class L, class R, class Out, class KeyL, class KeyR, class Fn>
class interval_join_operator final
    : public join_operator_base<interval_join_operator<K, L, R, Out, KeyL, KeyR, Fn>, K, L, R, KeyL,
                                KeyR> {
  using base = join_operator_base<interval_join_operator, K, L, R, KeyL, KeyR>;
  friend base;
  using base::wm_;
  using typename base::key_state;

 public:
  /// Throws std::invalid_argument when the bounds are invalid (lower > upper).
  interval_join_operator(KeyL key_left, KeyR key_right, Fn fn, interval_join_options opts)
      : base(std::move(key_left), std::move(key_right), std::move(opts.left_late_tag),
             std::move(opts.right_late_tag), "interval-join-buffers"),
        fn_(std::move(fn)),
        lo_(opts.bounds.min_offset()),
        hi_(opts.bounds.max_offset()) {
    if (auto s = opts.bounds.validate(); !s) throw std::invalid_argument(s.message());
  }

 private:
  // Before the first watermark (min_timestamp) nothing is late.
  [[nodiscard]] bool is_late_left(timestamp ts) const noexcept { return ts < wm_; }
  [[nodiscard]] bool is_late_right(timestamp ts) const noexcept { return ts < wm_; }

  /// The watermark from which a buffered element can no longer match anything to come.
  [[nodiscard]] timestamp left_expiry(timestamp ts) const noexcept {
    return saturating_add(saturating_add(ts, hi_), 1);
  }
  [[nodiscard]] timestamp right_expiry(timestamp ts) const noexcept {
    return saturating_add(saturating_sub(ts, lo_), 1);
  }

  void add_left(const record<L>& l, key_state& st, operator_output& out) {
    if (lo_ > hi_) return;  // e.g. between(0, 0) with an exclusive bound: nothing matches
    auto [b, e] = st.right.range(saturating_add(l.ts, lo_), saturating_add(l.ts, hi_));
    for (auto it = b; it != e; ++it) emit(l.value, l.ts, it->value, it->ts, out);
    const timestamp expiry = left_expiry(l.ts);
    if (expiry <= wm_) return;  // no right element still to come can match it
    st.left.insert(l);
    this->queue_wake(st, expiry);
  }

  void add_right(const record<R>& r, key_state& st, operator_output& out) {
    if (lo_ > hi_) return;
    auto [b, e] = st.left.range(saturating_sub(r.ts, hi_), saturating_sub(r.ts, lo_));
    for (auto it = b; it != e; ++it) emit(it->value, it->ts, r.value, r.ts, out);
    const timestamp expiry = right_expiry(r.ts);
    if (expiry <= wm_) return;
    st.right.insert(r);
    this->queue_wake(st, expiry);
  }

  void emit(const L& l, timestamp lt, const R& r, timestamp rt, operator_output& out) {
    const timestamp ts = std::max(lt, rt);
    collector<Out> c(out.records<Out>(), ts);
    detail::call_join_function<Out>(fn_, l, r, join_context{lt, rt, ts}, c);
  }

  void settle(key_state& st, operator_output&) {
    st.left.erase_expired([&](timestamp ts) { return left_expiry(ts) <= wm_; });
    st.right.erase_expired([&](timestamp ts) { return right_expiry(ts) <= wm_; });
  }

  void schedule(key_state& st) {
    timestamp wake = max_timestamp;
    if (!st.left.empty()) wake = std::min(wake, left_expiry(st.left.front_ts()));
    if (!st.right.empty()) wake = std::min(wake, right_expiry(st.right.front_ts()));
    this->queue_wake(st, wake);
  }

  [[nodiscard]] static timestamp output_watermark(timestamp wm) noexcept {
    return wm == max_timestamp ? wm : wm - 1;
  }

  Fn fn_;
  duration_ms lo_, hi_;  // the smallest and largest r.ts - l.ts that match
};

}  // namespace dataflow
