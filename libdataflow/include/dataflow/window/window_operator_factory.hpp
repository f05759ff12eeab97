// Picks and builds the window operator for an assigner, an aggregate and options:
// sliced_window_operator for tumbling and sliding windows under the event-time or
// processing-time trigger, window_operator (state per window) for sessions and for the count
// and purging triggers. The fluent API (windowed_stream) and tests use it alike:
//
//   auto op = dataflow::make_window_aggregate<event>(key_fn, dataflow::tumbling_windows(60'000),
//                                                     dataflow::agg::count<event>());
//
// Thread-safety: the factories are copyable values; each call makes a fresh operator.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

#include "dataflow/aggregate/builtin_aggregates.hpp"
#include "dataflow/graph/job_graph.hpp"
#include "dataflow/window/sliced_window_operator.hpp"
#include "dataflow/window/window_operator.hpp"
#include "dataflow/window/window_result.hpp"

namespace dataflow {
namespace detail {

template <class A>
inline constexpr bool is_sliceable_v =
    std::is_same_v<A, tumbling_windows> || std::is_same_v<A, sliding_windows>;

/// Turns a fired window's accumulator into output via `fn(key, window, result)`.
template <class K, class Agg, class F>
struct aggregate_emitter {
  Agg agg;
  F fn;
  template <class Out>
  void operator()(const K& key, const time_window& w, const typename Agg::accumulator_type& acc,
                  collector<Out>& out) const {
    out.collect(fn(key, w, agg.result(acc)));
  }
};

/// Hands a fired window's elements to `fn(key, window, elements, collector)`.
template <class F>
struct process_emitter {
  F fn;
  template <class K, class T, class Out>
  void operator()(const K& key, const time_window& w, const std::vector<T>& elements,
                  collector<Out>& out) const {
    fn(key, w, elements, out);
  }
};

struct identity_field {
  template <class T>
  const T& operator()(const T& v) const noexcept {
    return v;
  }
};

/// Makes window_result{key, window, value}.
template <class K>
struct make_window_result {
  template <class R>
  window_result<K, R> operator()(const K& k, const time_window& w, const R& v) const {
    return {k, w, v};
  }
};

}  // namespace detail

/// How a sliced window combines slices for aggregate `Agg`.
template <class Agg>
slice_strategy slice_strategy_for(const Agg& agg) {
  if (agg.invertible()) return slice_strategy::running;
  if constexpr (requires { Agg::merge_copies; }) return slice_strategy::recompute;
  return slice_strategy::two_stacks;
}

/// Whether this assigner and trigger run on slices.
template <class Assigner>
bool runs_on_slices(const window_options& opts) {
  return detail::is_sliceable_v<Assigner> && !opts.trigger.is_purging() &&
         opts.trigger.what() != window_trigger::kind::count;
}

/// The factory of a window operator with key type K over T emitting Out.
template <class K, class T, class Out, class KeyFn, class Assigner, class Agg, class Emit>
operator_factory window_operator_factory(KeyFn key_fn, Assigner assigner, Agg agg, Emit emit,
                                         window_options opts, slice_strategy strategy) {
  if constexpr (detail::is_sliceable_v<Assigner>) {
    if (runs_on_slices<Assigner>(opts)) {
      const auto g = sliced_geometry::of(assigner);
      return [=] {
        return std::make_unique<sliced_window_operator<K, T, Agg, Out, KeyFn, Emit>>(
            key_fn, agg, emit, g, opts, strategy);
      };
    }
  }
  (void)strategy;
  return [=] {
    return std::make_unique<window_operator<K, T, Agg, Out, KeyFn, Emit, Assigner>>(
        key_fn, agg, emit, assigner, opts);
  };
}

/// An aggregating window operator emitting window_result<K, Agg::result_type>.
template <class T, class KeyFn, class Assigner, class Agg>
std::unique_ptr<operator_base> make_window_aggregate(KeyFn key_fn, Assigner assigner, Agg agg,
                                                     window_options opts = {}) {
  using K = std::decay_t<std::invoke_result_t<KeyFn&, const T&>>;
  using Out = window_result<K, typename Agg::result_type>;
  using Emit = detail::aggregate_emitter<K, Agg, detail::make_window_result<K>>;
  auto strategy = slice_strategy_for(agg);
  Emit emit{agg, {}};
  return window_operator_factory<K, T, Out>(std::move(key_fn), std::move(assigner), std::move(agg),
                                            std::move(emit), std::move(opts), strategy)();
}

}  // namespace dataflow
