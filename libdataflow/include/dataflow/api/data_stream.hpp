// A stream of records of type T in the job being built. Each transformation adds a node to the
// environment's job graph and returns the stream it produces. A data_stream is a light handle
// (environment, node, how the next edge is partitioned), cheap to copy.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "dataflow/api/output_tag.hpp"
#include "dataflow/graph/job_graph.hpp"
#include "dataflow/operator/filter_operator.hpp"
#include "dataflow/operator/flat_map_operator.hpp"
#include "dataflow/operator/map_operator.hpp"
#include "dataflow/operator/sink_operator.hpp"
#include "dataflow/operator/union_operator.hpp"
#include "dataflow/operator/watermark_assigner_operator.hpp"
#include "dataflow/sink/collect_sink.hpp"
#include "dataflow/sink/json_lines_sink.hpp"
#include "dataflow/sink/print_sink.hpp"

namespace dataflow {

class environment;
template <class K, class T, class KeyFn>
class keyed_stream;
template <class K, class T, class KeyFn, class Assigner>
class windowed_stream;
template <class L, class R>
class joined_streams;
struct all_key;

/// Makes one sink_function per sink instance.
template <class T>
using sink_factory = std::function<std::unique_ptr<sink_function<T>>()>;

template <class T>
class data_stream {
 public:
  using value_type = T;

  data_stream(environment* env, int node, std::string side_tag = {})
      : env_(env), node_(node), side_tag_(std::move(side_tag)) {}

  /// One output per input: `fn(const T&) -> U`.
  template <class F>
  auto map(F fn, std::string name = "map") const {
    using U = std::decay_t<std::invoke_result_t<F&, const T&>>;
    return add<U>(std::move(name), "map",
                  [fn] { return std::make_unique<map_operator<T, U, F>>(fn); });
  }

  /// Keeps the records for which `pred(const T&)` is true.
  template <class F>
  data_stream<T> filter(F pred, std::string name = "filter") const {
    return add<T>(std::move(name), "filter",
                  [pred] { return std::make_unique<filter_operator<T, F>>(pred); });
  }

  /// Any number of outputs per input: `fn(const T&, collector<U>&)`.
  template <class U, class F>
  data_stream<U> flat_map(F fn, std::string name = "flat_map") const {
    return add<U>(std::move(name), "flat_map",
                  [fn] { return std::make_unique<flat_map_operator<T, U, F>>(fn); });
  }

  /// Partitions by `key_fn(const T&)`: records with equal keys meet in one instance.
  template <class F>
  auto key_by(F key_fn) const {
    using K = std::decay_t<std::invoke_result_t<F&, const T&>>;
    return keyed_stream<K, T, F>(*this, std::move(key_fn));
  }

  /// Replaces the stream's watermarks (and idleness) by those `strategy` derives from it; the
  /// final watermark at the end of input still passes. See docs/watermarks.md.
  data_stream<T> assign_timestamps_and_watermarks(watermark_strategy strategy,
                                                  std::string name = "watermarks") const {
    return add<T>(std::move(name), "watermarks", [strategy] {
      return std::make_unique<watermark_assigner_operator<T>>(strategy);
    });
  }

  /// The same, after giving each record the timestamp `timestamp_fn(const T&)` (or
  /// `timestamp_fn(const T&, timestamp current)`) returns.
  template <class F>
  requires(std::is_invocable_v<const F&, const T&> ||
           std::is_invocable_v<const F&, const T&, timestamp>)
      data_stream<T> assign_timestamps_and_watermarks(watermark_strategy strategy, F timestamp_fn,
                                                      std::string name = "watermarks")
  const {
    return add<T>(std::move(name), "watermarks", [strategy, timestamp_fn] {
      return std::make_unique<watermark_assigner_operator<T, F>>(strategy, timestamp_fn);
    });
  }

  /// Windows over the whole stream, not keyed: one instance sees every element.
  template <class Assigner>
  windowed_stream<std::monostate, T, all_key, Assigner> window_all(Assigner assigner) const;

  /// This stream and `others` as one stream (their watermark is the minimum of all).
  template <class... Streams>
  data_stream<T> union_with(const Streams&... others) const;
  /// The same for a list of streams known at run time.
  data_stream<T> union_with(const std::vector<data_stream<T>>& others) const;

  /// Joins with `other` in windows: join(other).where(kl).equal_to(kr).window(w).apply(fn).
  /// See joined_streams.hpp.
  template <class U>
  joined_streams<T, U> join(const data_stream<U>& other) const;

  /// The next edge sends records round-robin to all receivers.
  data_stream<T> rebalance() const { return with_partitioning(partitioning::rebalance); }
  /// The next edge sends every record to every receiver.
  data_stream<T> broadcast() const { return with_partitioning(partitioning::broadcast); }
  /// The next edge sends instance i's records to instance i (needs equal parallelism).
  data_stream<T> forward() const { return with_partitioning(partitioning::forward); }

  /// Writes the stream to sinks made by `factory` (one per instance).
  data_stream<T> sink_to(sink_factory<T> factory, std::string name = "sink") const;

  /// Calls `fn(const std::vector<record<T>>&)` for every batch, on the sink instance's thread
  /// (each instance has its own copy of fn; share state through pointers, thread-safely).
  template <class F>
  requires std::is_invocable_v < F&, const std::vector<record<T>>
  & > data_stream<T> for_each_batch(F fn, std::string name = "for_each_batch") const {
    return sink_to([fn] { return std::make_unique<batch_fn_sink<T, F>>(fn); }, std::move(name));
  }

  /// Collects the stream in memory; read the result after the job ran.
  std::shared_ptr<collected<T>> collect(std::string name = "collect") const {
    auto into = std::make_shared<collected<T>>();
    sink_to([into] { return std::make_unique<collect_sink_function<T>>(into); }, std::move(name));
    return into;
  }

  /// Prints every record to stdout (T needs operator<<, or pass a formatter).
  data_stream<T> print(std::string name = "print",
                       std::function<std::string(const T&)> fmt = &format_with_stream<T>) const {
    return sink_to([fmt] { return std::make_unique<print_sink_function<T>>(fmt); },
                   std::move(name));
  }

  /// Writes the stream as JSON lines to a file or stdout (see sink/json_lines_sink.hpp). `T` is
  /// row, dead_letter, or any type with `append_json_line(std::string&, const T&)`.
  data_stream<T> sink_to_json_lines(json_sink_options opts, std::string name = "json_lines") const {
    return sink_to([opts] { return std::make_unique<json_lines_sink_function<T>>(opts); },
                   std::move(name));
  }

  /// The side output `tag` of the operator that produced this stream.
  template <class U>
  data_stream<U> side_output(const output_tag<U>& tag) const {
    return data_stream<U>(env_, node_, tag.id);
  }

  // -- settings of the operator that produced this stream -----------------------------------

  /// Names the operator (logs, metrics, errors).
  data_stream<T>& name(std::string n);
  /// Sets the operator's stable id, which restores match state by.
  data_stream<T>& uid(std::string u);
  /// Sets the operator's number of instances.
  data_stream<T>& set_parallelism(int p);

  // -- for extensions -----------------------------------------------------------------------

  [[nodiscard]] environment& env() const noexcept { return *env_; }
  [[nodiscard]] int node_id() const noexcept { return node_; }
  [[nodiscard]] const std::string& side_tag() const noexcept { return side_tag_; }

  /// Adds a one-input operator fed by this stream and returns its output.
  template <class U>
  data_stream<U> add(std::string name, std::string kind, operator_factory make,
                     std::string detail = {}) const;

  /// Adds the edge from this stream into node `to`'s input `input`.
  void connect(int to, int input, router_factory make_router = make_plain_router_factory<T>(),
               std::optional<partitioning> kind = std::nullopt) const;

 private:
  data_stream<T> with_partitioning(partitioning p) const {
    auto s = *this;
    s.next_ = p;
    return s;
  }

  environment* env_;
  int node_;
  std::string side_tag_;
  std::optional<partitioning> next_;
};

}  // namespace dataflow

#include "dataflow/api/environment.hpp"
#include "dataflow/api/keyed_stream.hpp"
#include "dataflow/api/windowed_stream.hpp"

#include "dataflow/api/interval_joined_streams.hpp"
#include "dataflow/api/joined_streams.hpp"

template <class T>
void dataflow::data_stream<T>::connect(int to, int input, router_factory make_router,
                                       std::optional<partitioning> kind) const {
  job_edge e;
  e.from = node_;
  e.to = to;
  e.input = input;
  e.side_tag = side_tag_;
  e.type = &record_type_of<T>();
  e.make_router = std::move(make_router);
  if (kind) {
    e.kind = *kind;
    e.explicit_kind = true;
  } else if (next_) {
    e.kind = *next_;
    e.explicit_kind = true;
  }
  env_->graph().add_edge(std::move(e));
}

template <class T>
template <class U>
dataflow::data_stream<U> dataflow::data_stream<T>::add(std::string name, std::string kind,
                                                       operator_factory make,
                                                       std::string detail) const {
  job_node n;
  n.name = std::move(name);
  n.kind = std::move(kind);
  n.output_type = &record_type_of<U>();
  n.make_operator = std::move(make);
  n.detail = std::move(detail);
  int id = env_->graph().add_node(std::move(n));
  connect(id, 0);
  return data_stream<U>(env_, id);
}

template <class T>
template <class... Streams>
dataflow::data_stream<T> dataflow::data_stream<T>::union_with(const Streams&... others) const {
  static_assert((std::is_same_v<Streams, data_stream<T>> && ...),
                "union_with takes streams of the same type");
  return union_with(std::vector<data_stream<T>>{others...});
}

template <class T>
dataflow::data_stream<T> dataflow::data_stream<T>::union_with(
    const std::vector<data_stream<T>>& others) const {
  job_node n;
  n.name = "union";
  n.kind = "union";
  n.output_type = &record_type_of<T>();
  n.make_operator = [] { return std::make_unique<union_operator<T>>(); };
  int id = env_->graph().add_node(std::move(n));
  connect(id, 0);
  for (auto& o : others) o.connect(id, 0);
  return data_stream<T>(env_, id);
}

template <class T>
dataflow::data_stream<T> dataflow::data_stream<T>::sink_to(sink_factory<T> factory,
                                                           std::string name) const {
  job_node n;
  n.name = std::move(name);
  n.kind = "sink";
  n.role = node_role::sink;
  n.make_operator = [factory] { return std::make_unique<sink_operator<T>>(factory()); };
  int id = env_->graph().add_node(std::move(n));
  connect(id, 0);
  return data_stream<T>(env_, id);
}

template <class T>
dataflow::data_stream<T>& dataflow::data_stream<T>::name(std::string n) {
  env_->graph().node(node_).name = std::move(n);
  return *this;
}

template <class T>
dataflow::data_stream<T>& dataflow::data_stream<T>::uid(std::string u) {
  env_->graph().node(node_).uid = std::move(u);
  return *this;
}

template <class T>
dataflow::data_stream<T>& dataflow::data_stream<T>::set_parallelism(int p) {
  env_->graph().node(node_).parallelism = p;
  return *this;
}
