// A stream partitioned by key: records with equal keys go to the same instance, which keeps
// their keyed state. keyed_stream<K, T> is what key_by returns; KeyFn is the key selector.
#pragma once

#include <memory>
#include <string>
#include <type_traits>

#include "dataflow/operator/keyed_process_operator.hpp"

namespace dataflow {

template <class T>
class data_stream;
template <class K, class T, class KeyFn, class Assigner>
class windowed_stream;
template <class K, class L, class KeyL, class R, class KeyR>
class interval_join_builder;

template <class K, class T, class KeyFn>
class keyed_stream {
 public:
  using key_type = K;
  using value_type = T;

  keyed_stream(data_stream<T> input, KeyFn key_fn)
      : input_(std::move(input)), key_fn_(std::move(key_fn)) {}

  /// Runs a keyed process function (a class deriving from keyed_process_function<K, T, Out>).
  template <class Out, class Fn>
  requires std::is_base_of_v<keyed_process_function<K, T, Out>, Fn> data_stream<Out> process(
      Fn fn, std::string name = "process")
  const {
    auto key_fn = key_fn_;
    return add<Out>(std::move(name), "process", [key_fn, fn] {
      return std::make_unique<keyed_process_operator<K, T, Out, KeyFn, Fn>>(
          key_fn, std::make_unique<Fn>(fn));
    });
  }

  /// Runs a lambda `fn(const T&, keyed_process_context<K, Out>&)` per element.
  template <class Out, class F>
  requires std::is_invocable_v < F&, const T&, keyed_process_context<K, Out>
  & > data_stream<Out> process(F fn, std::string name = "process") const {
    auto key_fn = key_fn_;
    return add<Out>(std::move(name), "process", [key_fn, fn] {
      using fn_type = lambda_process_function<K, T, Out, F>;
      return std::make_unique<keyed_process_operator<K, T, Out, KeyFn, fn_type>>(
          key_fn, std::make_unique<fn_type>(fn));
    });
  }

  /// Cuts each key's elements into windows (tumbling_windows, sliding_windows,
  /// session_windows, ...); see windowed_stream.
  template <class Assigner>
  windowed_stream<K, T, KeyFn, Assigner> window(Assigner assigner) const;

  /// Joins with `other` (keyed by the same key type) by time interval; set the bounds with
  /// between(). See interval_joined_streams.hpp.
  template <class K2, class U, class KeyFn2>
  interval_join_builder<K, T, KeyFn, U, KeyFn2> interval_join(
      const keyed_stream<K2, U, KeyFn2>& other) const;

  // -- for extensions (windows, joins) ------------------------------------------------------

  /// Adds a keyed operator fed through a hash edge and returns its output.
  template <class Out>
  data_stream<Out> add(std::string name, std::string kind, operator_factory make) const {
    job_node n;
    n.name = std::move(name);
    n.kind = std::move(kind);
    n.output_type = &record_type_of<Out>();
    n.make_operator = std::move(make);
    n.detail = "keyed";
    int id = input_.env().graph().add_node(std::move(n));
    connect(id, 0);
    return data_stream<Out>(&input_.env(), id);
  }
  /// Adds the hash edge from this stream into node `to`'s input `input`.
  void connect(int to, int input) const {
    input_.connect(to, input, make_hash_router_factory<T>(key_fn_), partitioning::hash);
  }

  [[nodiscard]] const KeyFn& key_selector() const noexcept { return key_fn_; }
  [[nodiscard]] const data_stream<T>& input() const noexcept { return input_; }

 private:
  data_stream<T> input_;
  KeyFn key_fn_;
};

}  // namespace dataflow
