// The built-in aggregates: count, sum, min, max, avg, count_distinct (exact) and collect, each
// over a field of the input (a member pointer or a function), and several_aggregates, which
// computes several at once over one window. count, sum, avg and count_distinct are invertible,
// so sliding windows subtract expired slices; min, max and collect are not.
//
//   using namespace dataflow;
//   auto fn = agg::several(agg::count<event>(), agg::sum(&event::bytes),
//                          agg::count_distinct(&event::user_id));
//   // result: std::tuple<std::int64_t, std::int64_t, std::uint64_t>
//
// Thread-safety: const objects, shareable.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <cereal/types/optional.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/vector.hpp>

#include "dataflow/aggregate/aggregate_function.hpp"
#include "dataflow/aggregate/distinct_counts.hpp"

namespace dataflow {

/// The value `F` extracts from an `In` (a member pointer or a callable).
template <class In, class F>
using field_type_t = std::decay_t<std::invoke_result_t<const F&, const In&>>;

template <class In>
class count_aggregate final : public aggregate_function<In, std::int64_t, std::int64_t> {
 public:
  std::int64_t create() const override { return 0; }
  void add(std::int64_t& acc, const In&) const override { ++acc; }
  void merge(std::int64_t& into, const std::int64_t& other) const override { into += other; }
  std::int64_t result(const std::int64_t& acc) const override { return acc; }
  bool invertible() const override { return true; }
  void retract(std::int64_t& from, const std::int64_t& other) const override { from -= other; }
};

/// What a sum of V adds up in: 64-bit integers (signed or not, as V) or double, so that sums
/// of small fields do not overflow.
template <class V>
using sum_type_t =
    std::conditional_t<std::is_floating_point_v<V>, double,
                       std::conditional_t<std::is_signed_v<V>, std::int64_t, std::uint64_t>>;

template <class In, class F, class V = sum_type_t<field_type_t<In, F>>>
class sum_aggregate final : public aggregate_function<In, V, V> {
 public:
  explicit sum_aggregate(F field) : field_(std::move(field)) {}
  V create() const override { return V{}; }
  void add(V& acc, const In& v) const override { acc += static_cast<V>(std::invoke(field_, v)); }
  void merge(V& into, const V& other) const override { into += other; }
  V result(const V& acc) const override { return acc; }
  bool invertible() const override { return true; }
  void retract(V& from, const V& other) const override { from -= other; }

 private:
  F field_;
};

/// min (Less = std::less) or max (Less = std::greater); empty windows never fire, so the
/// result of a fired window always has a value.
template <class In, class F, class Less, class V = field_type_t<In, F>>
class extremum_aggregate final : public aggregate_function<In, std::optional<V>, V> {
 public:
  explicit extremum_aggregate(F field) : field_(std::move(field)) {}
  std::optional<V> create() const override { return std::nullopt; }
  void add(std::optional<V>& acc, const In& v) const override { keep(acc, std::invoke(field_, v)); }
  void merge(std::optional<V>& into, const std::optional<V>& other) const override {
    if (other) keep(into, *other);
  }
  V result(const std::optional<V>& acc) const override { return acc.value_or(V{}); }

 private:
  static void keep(std::optional<V>& acc, const V& v) {
    if (!acc || Less{}(v, *acc)) acc = v;
  }
  F field_;
};

/// The running sum and count of an average.
struct avg_accumulator {
  double sum = 0;
  std::int64_t count = 0;
  friend bool operator==(const avg_accumulator&, const avg_accumulator&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(sum, count);
  }
};

template <class In, class F>
class avg_aggregate final : public aggregate_function<In, avg_accumulator, double> {
 public:
  explicit avg_aggregate(F field) : field_(std::move(field)) {}
  avg_accumulator create() const override { return {}; }
  void add(avg_accumulator& acc, const In& v) const override {
    acc.sum += static_cast<double>(std::invoke(field_, v));
    ++acc.count;
  }
  void merge(avg_accumulator& into, const avg_accumulator& other) const override {
    into.sum += other.sum;
    into.count += other.count;
  }
  double result(const avg_accumulator& acc) const override {
    return acc.count ? acc.sum / static_cast<double>(acc.count) : 0.0;
  }
  bool invertible() const override { return true; }
  void retract(avg_accumulator& from, const avg_accumulator& other) const override {
    from.sum -= other.sum;
    from.count -= other.count;
    if (from.count == 0) from.sum = 0;  // no drift left over from floating-point subtraction
  }

 private:
  F field_;
};

/// Exact count of distinct values, kept as a multiplicity map so that slices can be retracted.
template <class In, class F, class V = field_type_t<In, F>>
class count_distinct_aggregate final
    : public aggregate_function<In, distinct_counts<V>, std::uint64_t> {
 public:
  explicit count_distinct_aggregate(F field) : field_(std::move(field)) {}
  distinct_counts<V> create() const override { return {}; }
  void add(distinct_counts<V>& acc, const In& v) const override { acc.add(std::invoke(field_, v)); }
  void merge(distinct_counts<V>& into, const distinct_counts<V>& other) const override {
    into.merge(other);
  }
  std::uint64_t result(const distinct_counts<V>& acc) const override { return acc.distinct(); }
  bool invertible() const override { return true; }
  void retract(distinct_counts<V>& from, const distinct_counts<V>& other) const override {
    from.retract(other);
  }

 private:
  F field_;
};

/// The list of values, in the order they were added (slices merge in time order).
template <class In, class F, class V = field_type_t<In, F>>
class collect_aggregate final : public aggregate_function<In, std::vector<V>, std::vector<V>> {
 public:
  explicit collect_aggregate(F field) : field_(std::move(field)) {}
  std::vector<V> create() const override { return {}; }
  void add(std::vector<V>& acc, const In& v) const override {
    acc.push_back(std::invoke(field_, v));
  }
  void merge(std::vector<V>& into, const std::vector<V>& other) const override {
    into.insert(into.end(), other.begin(), other.end());
  }
  std::vector<V> result(const std::vector<V>& acc) const override { return acc; }
  /// Merging copies every element: windows recompute from slices instead of keeping stacks.
  static constexpr bool merge_copies = true;

 private:
  F field_;
};

/// Combines elements pairwise with `fn(const T&, const T&) -> T` (a window's reduce).
template <class T, class F>
class reduce_aggregate final : public aggregate_function<T, std::optional<T>, T> {
 public:
  explicit reduce_aggregate(F fn) : fn_(std::move(fn)) {}
  std::optional<T> create() const override { return std::nullopt; }
  void add(std::optional<T>& acc, const T& v) const override { acc = acc ? fn_(*acc, v) : v; }
  void merge(std::optional<T>& into, const std::optional<T>& other) const override {
    if (other) into = into ? fn_(*into, *other) : *other;
  }
  T result(const std::optional<T>& acc) const override { return acc.value_or(T{}); }

 private:
  F fn_;
};

/// Several aggregates over the same input at once: the accumulator and the result are tuples.
/// Invertible when every part is.
template <class... Fns>
class several_aggregates final
    : public aggregate_function<typename std::tuple_element_t<0, std::tuple<Fns...>>::input_type,
                                std::tuple<typename Fns::accumulator_type...>,
                                std::tuple<typename Fns::result_type...>> {
 public:
  using In = typename std::tuple_element_t<0, std::tuple<Fns...>>::input_type;
  using Acc = std::tuple<typename Fns::accumulator_type...>;
  using Out = std::tuple<typename Fns::result_type...>;
  static_assert((std::is_same_v<typename Fns::input_type, In> && ...),
                "several aggregates must share one input type");

  explicit several_aggregates(Fns... fns) : fns_(std::move(fns)...) {}
  Acc create() const override {
    return std::apply([](const auto&... f) { return Acc{f.create()...}; }, fns_);
  }
  void add(Acc& acc, const In& v) const override {
    each([&](const auto& f, auto& a) { f.add(a, v); }, acc);
  }
  void merge(Acc& into, const Acc& other) const override {
    each2([](const auto& f, auto& a, const auto& b) { f.merge(a, b); }, into, other);
  }
  Out result(const Acc& acc) const override {
    return result_impl(acc, std::index_sequence_for<Fns...>{});
  }
  bool invertible() const override {
    return std::apply([](const auto&... f) { return (f.invertible() && ...); }, fns_);
  }
  void retract(Acc& from, const Acc& other) const override {
    each2([](const auto& f, auto& a, const auto& b) { f.retract(a, b); }, from, other);
  }

 private:
  template <class G>
  void each(G&& g, Acc& acc) const {
    each_impl(g, acc, std::index_sequence_for<Fns...>{});
  }
  template <class G, std::size_t... I>
  void each_impl(G& g, Acc& acc, std::index_sequence<I...>) const {
    (g(std::get<I>(fns_), std::get<I>(acc)), ...);
  }
  template <class G>
  void each2(G&& g, Acc& a, const Acc& b) const {
    each2_impl(g, a, b, std::index_sequence_for<Fns...>{});
  }
  template <class G, std::size_t... I>
  void each2_impl(G& g, Acc& a, const Acc& b, std::index_sequence<I...>) const {
    (g(std::get<I>(fns_), std::get<I>(a), std::get<I>(b)), ...);
  }
  template <std::size_t... I>
  Out result_impl(const Acc& acc, std::index_sequence<I...>) const {
    return Out{std::get<I>(fns_).result(std::get<I>(acc))...};
  }

  std::tuple<Fns...> fns_;
};

/// Factories: agg::count<T>(), agg::sum(&T::field) or agg::sum<T>(fn), and so on.
namespace agg {

template <class In>
count_aggregate<In> count() {
  return {};
}

template <class In, class F>
auto sum(F field) {
  return sum_aggregate<In, F>(std::move(field));
}
template <class C, class M>
auto sum(M C::*field) {
  return sum_aggregate<C, M C::*>(field);
}
template <class In, class F>
auto min(F field) {
  return extremum_aggregate<In, F, std::less<>>(std::move(field));
}
template <class C, class M>
auto min(M C::*field) {
  return extremum_aggregate<C, M C::*, std::less<>>(field);
}
template <class In, class F>
auto max(F field) {
  return extremum_aggregate<In, F, std::greater<>>(std::move(field));
}
template <class C, class M>
auto max(M C::*field) {
  return extremum_aggregate<C, M C::*, std::greater<>>(field);
}
template <class In, class F>
auto avg(F field) {
  return avg_aggregate<In, F>(std::move(field));
}
template <class C, class M>
auto avg(M C::*field) {
  return avg_aggregate<C, M C::*>(field);
}
template <class In, class F>
auto count_distinct(F field) {
  return count_distinct_aggregate<In, F>(std::move(field));
}
template <class C, class M>
auto count_distinct(M C::*field) {
  return count_distinct_aggregate<C, M C::*>(field);
}
template <class In, class F>
auto collect(F field) {
  return collect_aggregate<In, F>(std::move(field));
}
template <class C, class M>
auto collect(M C::*field) {
  return collect_aggregate<C, M C::*>(field);
}
template <class... Fns>
auto several(Fns... fns) {
  return several_aggregates<Fns...>(std::move(fns)...);
}

}  // namespace agg
}  // namespace dataflow
