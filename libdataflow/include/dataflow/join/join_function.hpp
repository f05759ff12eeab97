// What a join hands its function for each matching pair, and the three forms the function may
// take (Flink's JoinFunction, FlatJoinFunction and ProcessJoinFunction):
//   fn(const L&, const R&) -> Out                                 one output per pair
//   fn(const L&, const R&, collector<Out>&)                       any number per pair
//   fn(const L&, const R&, const join_context&, collector<Out>&)  the same, with timestamps
// Outputs carry the pair's result timestamp (join_context::ts) unless the collector is given
// another. Thread-safety: plain values.
#pragma once

#include <type_traits>

#include "dataflow/operator/collector.hpp"
#include "dataflow/time/timestamp.hpp"

namespace dataflow {

/// The timestamps of one joined pair.
struct join_context {
  timestamp left_ts = 0;
  timestamp right_ts = 0;
  /// The result's timestamp: max(left_ts, right_ts) in an interval join, the window's
  /// max_timestamp() in a window join.
  timestamp ts = 0;
};

/// Whether `F` is a join function over L and R with output Out, in one of the three forms.
template <class F, class L, class R, class Out>
inline constexpr bool is_join_function_v =
    std::is_invocable_v<F&, const L&, const R&, const join_context&, collector<Out>&> ||
    std::is_invocable_v<F&, const L&, const R&, collector<Out>&> ||
    std::is_invocable_r_v<Out, F&, const L&, const R&>;

namespace detail {

/// Calls `fn` for one pair in whichever form it takes.
template <class Out, class F, class L, class R>
void call_join_function(F& fn, const L& l, const R& r, const join_context& ctx,
                        collector<Out>& out) {
  if constexpr (std::is_invocable_v<F&, const L&, const R&, const join_context&, collector<Out>&>) {
    fn(l, r, ctx, out);
  } else if constexpr (std::is_invocable_v<F&, const L&, const R&, collector<Out>&>) {
    fn(l, r, out);
  } else {
    static_assert(std::is_invocable_r_v<Out, F&, const L&, const R&>,
                  "a join function takes (const L&, const R&) and returns Out, or takes "
                  "(const L&, const R&[, const join_context&], collector<Out>&)");
    out.collect(fn(l, r));
  }
}

}  // namespace detail
}  // namespace dataflow
