// The fluent API of the window join (Flink's DataStream.join().where().equalTo().window()):
//
//   auto joined = orders.join(payments)
//                     .where([](const order& o) { return o.id; })
//                     .equal_to([](const payment& p) { return p.order_id; })
//                     .window(dataflow::tumbling_windows(60'000))
//                     .apply<paid_order>([](const order& o, const payment& p) {
//                       return paid_order{o, p};
//                     });
//
// Tumbling and sliding windows; the join function takes one of the forms in
// join/join_function.hpp. Semantics: join/window_join_operator.hpp and docs/joins.md.
// Thread-safety: build from one thread.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "dataflow/api/data_stream.hpp"
#include "dataflow/join/window_join_operator.hpp"

namespace dataflow {

template <class T>
class data_stream;

/// Both streams keyed, cut into windows: apply the join function.
template <class K, class L, class KeyL, class R, class KeyR, class Assigner>
class window_joined_streams {
 public:
  window_joined_streams(data_stream<L> left, KeyL kl, data_stream<R> right, KeyR kr, Assigner a)
      : left_(std::move(left)),
        right_(std::move(right)),
        kl_(std::move(kl)),
        kr_(std::move(kr)),
        assigner_(std::move(a)) {
    if (auto s = assigner_.validate(); !s) throw std::invalid_argument(s.message());
  }

  /// Joins every pair of a window with `fn` (a join function, see join/join_function.hpp).
  template <class Out, class F>
  requires is_join_function_v<F, L, R, Out> data_stream<Out> apply(F fn,
                                                                   std::string name = "window_join")
  const {
    auto kl = kl_;
    auto kr = kr_;
    auto g = sliced_geometry::of(assigner_);
    job_node n;
    n.name = std::move(name);
    n.kind = "window_join";
    n.output_type = &record_type_of<Out>();
    n.make_operator = [kl, kr, fn, g] {
      return std::make_unique<window_join_operator<K, L, R, Out, KeyL, KeyR, F>>(kl, kr, fn, g);
    };
    n.detail = "keyed, windows of ";
    n.detail += std::to_string(g.size);
    n.detail += "ms every ";
    n.detail += std::to_string(g.slide);
    n.detail += "ms";
    n.inputs = 2;
    auto& env = left_.env();
    int id = env.graph().add_node(std::move(n));
    left_.key_by(kl_).connect(id, 0);
    right_.key_by(kr_).connect(id, 1);
    return data_stream<Out>(&env, id);
  }

 private:
  data_stream<L> left_;
  data_stream<R> right_;
  KeyL kl_;
  KeyR kr_;
  Assigner assigner_;
};

/// join(other).where(kl).equal_to(kr): choose the windows.
template <class K, class L, class KeyL, class R, class KeyR>
class keyed_joined_streams {
 public:
  keyed_joined_streams(data_stream<L> left, KeyL kl, data_stream<R> right, KeyR kr)
      : left_(std::move(left)), right_(std::move(right)), kl_(std::move(kl)), kr_(std::move(kr)) {}

  /// Tumbling or sliding windows.
  template <class Assigner>
  requires(std::is_same_v<Assigner, tumbling_windows> || std::is_same_v<Assigner, sliding_windows>)
      window_joined_streams<K, L, KeyL, R, KeyR, Assigner> window(Assigner a)
  const { return {left_, kl_, right_, kr_, std::move(a)}; }

 private:
  data_stream<L> left_;
  data_stream<R> right_;
  KeyL kl_;
  KeyR kr_;
};

/// join(other).where(kl): choose the right stream's key.
template <class L, class KeyL, class R>
class joined_streams_where {
 public:
  using key_type = std::decay_t<std::invoke_result_t<KeyL&, const L&>>;

  joined_streams_where(data_stream<L> left, KeyL kl, data_stream<R> right)
      : left_(std::move(left)), right_(std::move(right)), kl_(std::move(kl)) {}

  /// The right stream's key `kr(const R&)`, of the same type as the left one's.
  template <class KeyR>
  keyed_joined_streams<key_type, L, KeyL, R, KeyR> equal_to(KeyR kr) const {
    static_assert(std::is_same_v<key_type, std::decay_t<std::invoke_result_t<KeyR&, const R&>>>,
                  "join: where() and equal_to() must give keys of the same type");
    return {left_, kl_, right_, std::move(kr)};
  }

 private:
  data_stream<L> left_;
  data_stream<R> right_;
  KeyL kl_;
};

/// What data_stream::join returns: choose the left stream's key with where().
template <class L, class R>
class joined_streams {
 public:
  joined_streams(data_stream<L> left, data_stream<R> right)
      : left_(std::move(left)), right_(std::move(right)) {}

  /// The left stream's key `kl(const L&)`.
  template <class KeyL>
  joined_streams_where<L, KeyL, R> where(KeyL kl) const {
    return {left_, std::move(kl), right_};
  }

 private:
  data_stream<L> left_;
  data_stream<R> right_;
};

template <class T>
template <class U>
joined_streams<T, U> data_stream<T>::join(const data_stream<U>& other) const {
  return {*this, other};
}

}  // namespace dataflow
