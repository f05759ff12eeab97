// The entry point of the fluent API: an environment creates sources, which give data_streams;
// transformations add nodes to the job graph; execute() hands the graph to an executor.
//
//   dataflow::local_environment env;          // embedded runtime (dataflow_actors)
//   auto counts = env.from_collection(lines)
//                    .flat_map<std::string>(split_words)
//                    .key_by([](const std::string& w) { return w; })
//                    .process<std::pair<std::string, long>>(count_words{});
//   auto out = counts.collect();
//   env.execute();
//
// Thread-safety: build and execute from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dataflow/api/executor.hpp"
#include "dataflow/api/job_options.hpp"
#include "dataflow/graph/job_graph.hpp"
#include "dataflow/io/json_lines_source.hpp"
#include "dataflow/source/collection_source.hpp"
#include "dataflow/source/generator_source.hpp"
#include "dataflow/source/hybrid_source.hpp"
#include "dataflow/source/split_collection_source.hpp"

namespace dataflow {

template <class T>
class data_stream;

class environment {
 public:
  /// `exec` runs the job; without one, execute() fails (libdataflow alone cannot run jobs).
  explicit environment(std::shared_ptr<executor> exec = nullptr);
  virtual ~environment() = default;

  job_options& options() noexcept { return options_; }
  /// The default parallelism of every operator.
  environment& set_parallelism(int p) {
    options_.parallelism = p;
    return *this;
  }
  job_graph& graph() noexcept { return *graph_; }
  [[nodiscard]] std::shared_ptr<const job_graph> shared_graph() const { return graph_; }

  /// A bounded source over `records` (value and timestamp each).
  template <class T>
  data_stream<T> from_collection(std::vector<record<T>> records,
                                 watermark_strategy ws = watermark_strategy::none(),
                                 std::string name = "collection");

  /// A bounded source over `values`; value i gets timestamp i.
  template <class T>
  data_stream<T> from_collection(const std::vector<T>& values,
                                 watermark_strategy ws = watermark_strategy::none(),
                                 std::string name = "collection");

  /// A bounded source over splits (partitions): split s is read by instance s % parallelism,
  /// with watermarks per split merged by minimum (see split_watermarks.hpp). It can be
  /// restored at another parallelism (its splits are redistributed).
  template <class T>
  data_stream<T> from_splits(std::vector<std::vector<record<T>>> splits,
                             watermark_strategy ws = watermark_strategy::none(),
                             std::string name = "splits");

  /// A generator source: `fn(index)` makes the record with that index.
  template <class T>
  data_stream<T> from_generator(generator_fn<T> fn, generator_options opts = {},
                                std::string name = "generator");

  /// Rows from JSON-lines files (a file, a directory or a glob; plain or gzip); see
  /// io/json_lines_source.hpp. Its dead letters are `.side_output(json_lines_dead_letters)`.
  /// Each file is a split: it can be restored at another parallelism.
  data_stream<row> from_json_lines(json_source_options opts, std::string name = "json_lines");

  /// History then live: each instance reads its share of a bounded history, then a live
  /// source, split at `opts.switch_at` (see source/hybrid_source.hpp). Side outputs of the
  /// history (`json_lines_dead_letters`) are this stream's. Throws std::invalid_argument when
  /// a required option is missing.
  template <class T>
  data_stream<T> from_hybrid(hybrid_source_options opts, std::string name = "hybrid");

  /// Any source: `factory()` makes one reader per instance. A reader that implements
  /// restore_rescaled() can say so with `graph().node(s.node_id()).reads_splits = true`.
  template <class T>
  data_stream<T> from_source(source_factory factory, std::string name, std::string kind = "source");

  /// Runs the job and waits for it: returns when bounded sources are done.
  expected<job_result> execute();
  /// Starts the job and returns a handle to cancel it or wait for it.
  expected<std::unique_ptr<job_handle>> execute_async();

 private:
  std::shared_ptr<executor> executor_;
  std::shared_ptr<job_graph> graph_;
  job_options options_;
};

}  // namespace dataflow

#include "dataflow/api/data_stream.hpp"

template <class T>
dataflow::data_stream<T> dataflow::environment::from_source(source_factory factory,
                                                            std::string name, std::string kind) {
  job_node n;
  n.name = std::move(name);
  n.kind = std::move(kind);
  n.role = node_role::source;
  n.output_type = &record_type_of<T>();
  n.make_source = std::move(factory);
  int id = graph_->add_node(std::move(n));
  return data_stream<T>(this, id);
}

inline dataflow::data_stream<dataflow::row> dataflow::environment::from_json_lines(
    json_source_options opts, std::string name) {
  auto rows = from_source<row>(
      [opts, name] { return std::make_unique<json_lines_source_reader>(opts, name); }, name,
      "json_lines");
  graph_->node(rows.node_id()).reads_splits = true;  // one file per split
  return rows;
}

template <class T>
dataflow::data_stream<T> dataflow::environment::from_hybrid(hybrid_source_options opts,
                                                            std::string name) {
  opts.validate();
  return from_source<T>([opts] { return std::make_unique<hybrid_source_reader<T>>(opts); },
                        std::move(name), "hybrid");
}

template <class T>
dataflow::data_stream<T> dataflow::environment::from_collection(std::vector<record<T>> records,
                                                                watermark_strategy ws,
                                                                std::string name) {
  auto data = std::make_shared<const std::vector<record<T>>>(std::move(records));
  return from_source<T>(
      [data, ws] { return std::make_unique<collection_source_reader<T>>(data, ws); },
      std::move(name), "collection");
}

template <class T>
dataflow::data_stream<T> dataflow::environment::from_collection(const std::vector<T>& values,
                                                                watermark_strategy ws,
                                                                std::string name) {
  std::vector<record<T>> rs;
  rs.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    rs.push_back(record<T>{values[i], static_cast<timestamp>(i)});
  return from_collection<T>(std::move(rs), ws, std::move(name));
}

template <class T>
dataflow::data_stream<T> dataflow::environment::from_splits(
    std::vector<std::vector<record<T>>> splits, watermark_strategy ws, std::string name) {
  using reader = split_collection_source_reader<T>;
  auto data = std::make_shared<const typename reader::splits_type>(std::move(splits));
  auto s = from_source<T>([data, ws] { return std::make_unique<reader>(data, ws); },
                          std::move(name), "split_collection");
  graph_->node(s.node_id()).reads_splits = true;
  return s;
}

template <class T>
dataflow::data_stream<T> dataflow::environment::from_generator(generator_fn<T> fn,
                                                               generator_options opts,
                                                               std::string name) {
  return from_source<T>(
      [fn, opts] { return std::make_unique<generator_source_reader<T>>(fn, opts); },
      std::move(name), "generator");
}
