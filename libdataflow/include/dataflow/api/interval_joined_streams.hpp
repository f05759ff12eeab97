// The fluent API of the interval join (Flink's KeyedStream.intervalJoin):
//
//   auto joined = orders.key_by([](const order& o) { return o.user; })
//                     .interval_join(clicks.key_by([](const click& c) { return c.user; }))
//                     .between(-5'000, 0)              // click at most 5 s before the order
//                     .upper_bound_exclusive()         // ... and strictly before it
//                     .side_output_right_late_data(late_clicks)
//                     .process<enriched>([](const order& o, const click& c) {
//                       return enriched{o, c};
//                     });
//
// The join function takes one of the forms in join/join_function.hpp. Both streams must be
// keyed by the same key type. Semantics: join/interval_join_operator.hpp and docs/joins.md.
// Thread-safety: build from one thread.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "dataflow/api/data_stream.hpp"
#include "dataflow/api/output_tag.hpp"
#include "dataflow/join/interval_join_operator.hpp"

namespace dataflow {

template <class T>
class data_stream;

/// Two keyed streams with their join bounds set: choose exclusivity and late-data outputs,
/// then process.
template <class K, class L, class KeyL, class R, class KeyR>
class interval_joined_streams {
 public:
  interval_joined_streams(keyed_stream<K, L, KeyL> left, keyed_stream<K, R, KeyR> right,
                          join_bounds bounds)
      : left_(std::move(left)), right_(std::move(right)) {
    opts_.bounds = bounds;
    if (auto s = opts_.bounds.validate(); !s) throw std::invalid_argument(s.message());
  }

  /// r.ts > l.ts + lower instead of >=.
  interval_joined_streams& lower_bound_exclusive() {
    opts_.bounds.lower_inclusive = false;
    return checked();
  }
  /// r.ts < l.ts + upper instead of <=.
  interval_joined_streams& upper_bound_exclusive() {
    opts_.bounds.upper_inclusive = false;
    return checked();
  }
  /// Sends late left elements to `tag` instead of dropping them.
  interval_joined_streams& side_output_left_late_data(const output_tag<L>& tag) {
    opts_.left_late_tag = tag.id;
    return *this;
  }
  /// Sends late right elements to `tag` instead of dropping them.
  interval_joined_streams& side_output_right_late_data(const output_tag<R>& tag) {
    opts_.right_late_tag = tag.id;
    return *this;
  }

  /// Joins every matching pair with `fn` (a join function, see join/join_function.hpp).
  template <class Out, class F>
  requires is_join_function_v<F, L, R, Out> data_stream<Out> process(
      F fn, std::string name = "interval_join")
  const {
    auto kl = left_.key_selector();
    auto kr = right_.key_selector();
    auto opts = opts_;
    job_node n;
    n.name = std::move(name);
    n.kind = "interval_join";
    n.output_type = &record_type_of<Out>();
    n.make_operator = [kl, kr, fn, opts] {
      return std::make_unique<interval_join_operator<K, L, R, Out, KeyL, KeyR, F>>(kl, kr, fn,
                                                                                   opts);
    };
    n.detail = describe();
    n.inputs = 2;
    auto& env = left_.input().env();
    int id = env.graph().add_node(std::move(n));
    left_.connect(id, 0);
    right_.connect(id, 1);
    return data_stream<Out>(&env, id);
  }

  [[nodiscard]] const interval_join_options& options() const noexcept { return opts_; }

 private:
  interval_joined_streams& checked() {
    if (auto s = opts_.bounds.validate(); !s) throw std::invalid_argument(s.message());
    return *this;
  }
  [[nodiscard]] std::string describe() const {
    auto& b = opts_.bounds;
    std::string d = "keyed, right.ts in left.ts + ";
    d += b.lower_inclusive ? "[" : "(";
    d += std::to_string(b.lower);
    d += ", ";
    d += std::to_string(b.upper);
    d += b.upper_inclusive ? "]" : ")";
    d += " ms";
    return d;
  }

  keyed_stream<K, L, KeyL> left_;
  keyed_stream<K, R, KeyR> right_;
  interval_join_options opts_;
};

/// What keyed_stream::interval_join returns: set the bounds with between().
template <class K, class L, class KeyL, class R, class KeyR>
class interval_join_builder {
 public:
  interval_join_builder(keyed_stream<K, L, KeyL> left, keyed_stream<K, R, KeyR> right)
      : left_(std::move(left)), right_(std::move(right)) {}

  /// Joins l and r when l.ts + lower <= r.ts <= l.ts + upper (ms, inclusive; see
  /// lower_bound_exclusive / upper_bound_exclusive). Throws std::invalid_argument when
  /// lower > upper.
  interval_joined_streams<K, L, KeyL, R, KeyR> between(duration_ms lower, duration_ms upper) const {
    return {left_, right_, join_bounds{lower, upper, true, true}};
  }

 private:
  keyed_stream<K, L, KeyL> left_;
  keyed_stream<K, R, KeyR> right_;
};

template <class K, class T, class KeyFn>
template <class K2, class U, class KeyFn2>
interval_join_builder<K, T, KeyFn, U, KeyFn2> keyed_stream<K, T, KeyFn>::interval_join(
    const keyed_stream<K2, U, KeyFn2>& other) const {
  static_assert(std::is_same_v<K, K2>, "interval_join: both streams must have the same key type");
  return {*this, other};
}

}  // namespace dataflow
