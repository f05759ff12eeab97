// A keyed stream cut into windows: key_by(...).window(assigner), optionally with a trigger,
// allowed lateness and a late-data side output, then aggregate, reduce or process.
//
//   auto per_minute = events.key_by([](const event& e) { return e.content_id; })
//                         .window(dataflow::sliding_windows(7 * 86'400'000, 60'000))
//                         .allowed_lateness(300'000)
//                         .side_output_late_data(late)
//                         .aggregate(dataflow::agg::count<event>());
//   // data_stream<window_result<std::string, std::int64_t>>
//
// Tumbling and sliding windows under the event-time or processing-time trigger run on slices
// (sliced_window_operator); sessions, count and purging triggers keep state per window
// (window_operator). Thread-safety: build from one thread.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include <cereal/types/variant.hpp>

#include "dataflow/api/output_tag.hpp"
#include "dataflow/enrich/enrich_operator.hpp"
#include "dataflow/window/window_operator_factory.hpp"

namespace dataflow {

template <class T>
class data_stream;
template <class K, class T, class KeyFn>
class keyed_stream;

/// The key of windows over a whole stream (window_all).
using no_key = std::monostate;
inline std::ostream& operator<<(std::ostream& os, no_key) {
  return os << "all";
}

namespace detail {

inline std::string describe(const tumbling_windows& a) {
  return "tumbling " + std::to_string(a.size()) + "ms";
}
inline std::string describe(const sliding_windows& a) {
  return "sliding " + std::to_string(a.size()) + "ms by " + std::to_string(a.slide()) + "ms";
}
inline std::string describe(const session_windows& a) {
  return "session gap " + std::to_string(a.gap()) + "ms";
}
template <class G>
std::string describe(const dynamic_session_windows<G>&) {
  return "session with dynamic gap";
}

inline status validate(const tumbling_windows& a) {
  return a.validate();
}
inline status validate(const sliding_windows& a) {
  return a.validate();
}
inline status validate(const session_windows& a) {
  return a.validate();
}
template <class G>
status validate(const dynamic_session_windows<G>&) {
  return status::ok();
}

}  // namespace detail

template <class K, class T, class KeyFn, class Assigner>
class windowed_stream {
 public:
  windowed_stream(keyed_stream<K, T, KeyFn> input, Assigner assigner, bool single_instance)
      : input_(std::move(input)), assigner_(std::move(assigner)), single_(single_instance) {
    if (auto s = detail::validate(assigner_); !s) throw std::invalid_argument(s.message());
  }

  /// When windows fire; default event time.
  windowed_stream& trigger(window_trigger t) {
    opts_.trigger = t;
    return checked();
  }
  /// Keeps windows for `lateness` ms of event time after they fire; late elements within it
  /// update and re-fire their windows.
  windowed_stream& allowed_lateness(duration_ms lateness) {
    opts_.allowed_lateness = lateness;
    return checked();
  }
  /// A watermark that fires more results than `n` is served in steps of about n results, each
  /// leaving under backpressure before the next is made (the final watermark over a week-long
  /// sliding window fires a week of windows per key). Default: 16384.
  windowed_stream& max_output_per_step(std::size_t n) {
    opts_.max_output_per_step = n;
    return checked();
  }
  /// Sends elements too late for all their windows to `tag` (otherwise they are dropped).
  windowed_stream& side_output_late_data(const output_tag<T>& tag) {
    opts_.late_tag = tag.id;
    return *this;
  }

  /// One result per fired window: window_result{key, window, fn's result}.
  template <class Agg>
  auto aggregate(Agg agg, std::string name = "window") const {
    return aggregate(std::move(agg), detail::make_window_result<K>{}, std::move(name));
  }

  /// One result per fired window: `result_fn(key, window, aggregate result)`.
  template <class Agg, class F>
  auto aggregate(Agg agg, F result_fn, std::string name = "window") const {
    using R = typename Agg::result_type;
    using Out = std::decay_t<std::invoke_result_t<F&, const K&, const time_window&, const R&>>;
    const auto strategy = slice_strategy_for(agg);
    detail::aggregate_emitter<K, Agg, F> emit{agg, std::move(result_fn)};
    return build<Out>(std::move(agg), std::move(emit), strategy, std::move(name));
  }

  /// Combines the window's elements pairwise with `fn(const T&, const T&) -> T`.
  template <class F>
  auto reduce(F fn, std::string name = "window") const {
    return aggregate(reduce_aggregate<T, F>(std::move(fn)), std::move(name));
  }

  /// Hands each fired window's elements to
  /// `fn(const K&, const time_window&, const std::vector<T>&, collector<Out>&)`.
  template <class Out, class F>
  data_stream<Out> process(F fn, std::string name = "window") const {
    return build<Out>(collect_aggregate<T, detail::identity_field>(detail::identity_field{}),
                      detail::process_emitter<F>{std::move(fn)}, slice_strategy::recompute,
                      std::move(name));
  }

  /// Enrichment: every element exactly once, with the aggregate of its key's window that ends
  /// first after it (the window contains it): enriched<T, R>{element, window, aggregate,
  /// status}, at timestamp window.end - 1. See enrich/enrich_operator.hpp for the rules on
  /// late elements. Tumbling and sliding windows under the event-time trigger.
  ///
  ///   auto out = events.key_by(content).window(sliding_windows(7 * day, minute))
  ///                  .allowed_lateness(5 * minute)
  ///                  .enrich(agg::count<event>());   // data_stream<enriched<event, int64_t>>
  template <class Agg>
  auto enrich(Agg agg, std::string name = "enrich") const {
    return enrich(std::move(agg), detail::make_enriched{}, std::move(name));
  }

  /// The same with `join_fn(const T&, const R* aggregate (null when too late),
  /// const time_window&, enrich_status) -> Out`.
  template <class Agg, class F>
  auto enrich(Agg agg, F join_fn, std::string name = "enrich") const {
    static_assert(detail::is_sliceable_v<Assigner>, "enrich takes tumbling or sliding windows");
    using R = typename Agg::result_type;
    using Out = std::decay_t<
        std::invoke_result_t<F&, const T&, const R*, const time_window&, enrich_status>>;
    using Op = enrich_operator<K, T, Agg, Out, KeyFn, F>;
    if (opts_.trigger.what() != window_trigger::kind::event_time)
      throw std::invalid_argument("enrich runs on the event-time trigger only");
    const auto g = sliced_geometry::of(assigner_);
    auto strategy = g.size == g.slide ? slice_strategy::single_slice : slice_strategy_for(agg);
    auto make = [key_fn = input_.key_selector(), agg, join_fn, g, opts = opts_, strategy,
                 tag = results_tag_] {
      return std::make_unique<Op>(key_fn, agg, join_fn, g, opts, strategy, tag);
    };
    auto out = input_.template add<Out>(std::move(name), "enrich", std::move(make));
    auto& node = out.env().graph().node(out.node_id());
    node.detail =
        detail::describe(assigner_) + ", lateness " + std::to_string(opts_.allowed_lateness) + "ms";
    if (single_) node.parallelism = 1;
    return out;
  }

  /// With enrich: also sends every window result (window_result<K, R>) to side output `tag`,
  /// so the metrics and the enriched elements come from one computation.
  windowed_stream& side_output_results(std::string tag) {
    results_tag_ = std::move(tag);
    return *this;
  }

  [[nodiscard]] const window_options& options() const noexcept { return opts_; }

 private:
  windowed_stream& checked() {
    if (auto s = opts_.validate(); !s) throw std::invalid_argument(s.message());
    return *this;
  }

  template <class Out, class Agg, class Emit>
  data_stream<Out> build(Agg agg, Emit emit, slice_strategy strategy, std::string name) const {
    if constexpr (std::is_same_v<Assigner, tumbling_windows>)
      strategy = slice_strategy::single_slice;
    auto make = window_operator_factory<K, T, Out>(input_.key_selector(), assigner_, std::move(agg),
                                                   std::move(emit), opts_, strategy);
    auto out = input_.template add<Out>(std::move(name), "window", std::move(make));
    auto& node = out.env().graph().node(out.node_id());
    static constexpr const char* how[] = {"one slice per window", "running aggregate", "two-stacks",
                                          "recomputed from slices"};
    node.detail =
        detail::describe(assigner_) + ", trigger " + opts_.trigger.to_string() + ", lateness " +
        std::to_string(opts_.allowed_lateness) + "ms, " +
        (runs_on_slices<Assigner>(opts_) ? std::string("slices: ") + how[static_cast<int>(strategy)]
                                         : std::string("state per window"));
    if (single_) node.parallelism = 1;
    return out;
  }

  keyed_stream<K, T, KeyFn> input_;
  Assigner assigner_;
  bool single_;
  window_options opts_;
  std::string results_tag_;
};

/// Keys every element of a stream the same (window_all).
struct all_key {
  template <class T>
  no_key operator()(const T&) const noexcept {
    return {};
  }
};

template <class K, class T, class KeyFn>
template <class Assigner>
windowed_stream<K, T, KeyFn, Assigner> keyed_stream<K, T, KeyFn>::window(Assigner a) const {
  return windowed_stream<K, T, KeyFn, Assigner>(*this, std::move(a), false);
}

template <class T>
template <class Assigner>
windowed_stream<no_key, T, all_key, Assigner> data_stream<T>::window_all(Assigner a) const {
  return windowed_stream<no_key, T, all_key, Assigner>(keyed_stream<no_key, T, all_key>(*this, {}),
                                                       std::move(a), true);
}

}  // namespace dataflow
