// What a job looks like to checkpoint storage and the restore check: its operators by uid,
// with kind and parallelism, as plain values. describe_job builds it from a job graph without
// running the job, so the CLI can check a savepoint against a pipeline file.
// Thread-safety: plain values; describe_job only reads the graph.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dataflow/api/job_options.hpp"
#include "dataflow/graph/job_graph.hpp"
#include "dataflow/graph/key_group.hpp"

namespace dataflow {

struct operator_description {
  /// job_node::uid: state is matched by it.
  std::string uid;
  std::string name;
  /// job_node::kind: "map", "window", "generator"...
  std::string kind;
  int parallelism = 1;
  int max_parallelism = default_max_parallelism;
  /// Fed by a hash (keyed) edge, so its state is split by key group.
  bool keyed = false;
  /// A source: its state is a read position per instance.
  bool source = false;
  /// A source that reads splits and keeps a position per split (job_node::reads_splits): its
  /// splits can be redistributed to another parallelism.
  bool reads_splits = false;
};

struct job_description {
  std::string name;
  int max_parallelism = default_max_parallelism;
  /// In the order of the job graph's nodes.
  std::vector<operator_description> operators;

  /// The operator with `uid`, or null.
  [[nodiscard]] const operator_description* find(std::string_view uid) const noexcept;
};

/// Describes `graph` as it would run with `options` (default parallelism, max_parallelism and
/// name are taken from there).
job_description describe_job(const job_graph& graph, const job_options& options);

}  // namespace dataflow
