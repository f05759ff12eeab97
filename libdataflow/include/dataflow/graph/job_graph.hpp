// The logical job graph: operators (nodes) and the streams between them (edges), as the fluent
// API builds it. Nodes carry factories that make one operator (or source reader) per instance;
// edges carry a factory for the router of each sending instance. It prints as text and JSON.
// Thread-safety: built by one thread, then read-only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/core/status.hpp"
#include "dataflow/graph/partitioning.hpp"
#include "dataflow/operator/operator.hpp"
#include "dataflow/runtime/router.hpp"
#include "dataflow/source/source_reader.hpp"

namespace dataflow {

using operator_factory = std::function<std::unique_ptr<operator_base>()>;
using source_factory = std::function<std::unique_ptr<source_reader>()>;

/// What a node is.
enum class node_role : std::uint8_t { source, transform, sink };

struct job_node {
  int id = -1;
  /// Shown in logs, metrics and errors; need not be unique.
  std::string name;
  /// Stable across runs and code changes; state is matched by it on restore. Unique.
  std::string uid;
  /// The operator kind: "collection", "generator", "map", "filter", "process", "sink"...
  std::string kind;
  node_role role = node_role::transform;
  /// Instances; 0 means the job default.
  int parallelism = 0;
  /// The type of the main output (null for sinks).
  const record_type* output_type = nullptr;
  operator_factory make_operator;  // transforms and sinks
  source_factory make_source;      // sources
  /// Free text shown in the graph, e.g. the key of a keyed operator.
  std::string detail;
  /// Number of logical inputs the operator reads (1, or 2 for joins).
  int inputs = 1;
  /// A source whose instances read splits (split s on instance s % p) and snapshot a position
  /// per split: it can be restored at another parallelism (source_reader::restore_rescaled).
  bool reads_splits = false;
};

struct job_edge {
  int from = -1;
  int to = -1;
  /// Logical input of the receiver (0, or 1 for the second input of a join).
  int input = 0;
  partitioning kind = partitioning::forward;
  /// True when the user chose the partitioning; otherwise forward or rebalance is derived
  /// from the parallelism of both ends.
  bool explicit_kind = false;
  /// Empty for the main output, else the side output's tag.
  std::string side_tag;
  /// The type of the records on this edge.
  const record_type* type = nullptr;
  router_factory make_router;
};

class job_graph {
 public:
  int add_node(job_node node);
  void add_edge(job_edge edge);

  [[nodiscard]] const std::vector<job_node>& nodes() const noexcept { return nodes_; }
  [[nodiscard]] const std::vector<job_edge>& edges() const noexcept { return edges_; }
  job_node& node(int id) { return nodes_.at(static_cast<std::size_t>(id)); }
  [[nodiscard]] const job_node& node(int id) const {
    return nodes_.at(static_cast<std::size_t>(id));
  }
  [[nodiscard]] std::vector<const job_edge*> inputs_of(int id) const;
  [[nodiscard]] std::vector<const job_edge*> outputs_of(int id) const;

  /// The parallelism node `id` runs at, given the job default.
  [[nodiscard]] int parallelism_of(int id, int default_parallelism) const;

  /// The partitioning edge `e` uses at run time (forward or rebalance when not explicit).
  [[nodiscard]] partitioning effective_partitioning(const job_edge& e,
                                                    int default_parallelism) const;

  /// Checks that the graph can run: unique uids, valid parallelism, forward edges between
  /// equal parallelism, at least one sink, keyed parallelism within max_parallelism.
  [[nodiscard]] status validate(int default_parallelism, int max_parallelism) const;

  /// One line per node with its inputs, e.g. "2 map 'parse' (uid map-2) x2 <- 1 [forward]".
  [[nodiscard]] std::string to_text(int default_parallelism = 1) const;
  /// {"nodes":[{id,name,uid,kind,parallelism,...}],"edges":[{from,to,partitioning,...}]}
  [[nodiscard]] std::string to_json(int default_parallelism = 1) const;

 private:
  std::vector<job_node> nodes_;
  std::vector<job_edge> edges_;
};

}  // namespace dataflow
