// The execution plan: the logical graph expanded into tasks (one per operator instance, or
// per chain of operators joined by forward edges at equal parallelism) and channels (one per
// sending instance and receiving instance of an edge), each with a job-wide id.
// Thread-safety: computed once, then read-only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataflow/core/status.hpp"
#include "dataflow/graph/job_graph.hpp"

namespace dataflow {

struct plan_options {
  int default_parallelism = 1;
  int max_parallelism = default_max_parallelism;
  /// Join forward edges between equal parallelism into one task. Default: on.
  bool chaining = true;
};

/// Nodes run by one task, in order; the head may be a source.
struct chain_plan {
  std::vector<int> nodes;
  int parallelism = 1;
  std::string name;  // "generator -> map"
};

struct input_channel_plan {
  std::uint32_t channel = 0;
  int input = 0;      // logical input of the chain's head
  int from_task = 0;  // sending task
};

struct output_channel_plan {
  std::uint32_t channel = 0;
  int to_task = 0;
};

struct output_edge_plan {
  const job_edge* edge = nullptr;
  partitioning kind = partitioning::forward;
  std::vector<output_channel_plan> targets;  // ordered by receiving subtask
};

struct task_plan {
  int index = 0;
  int chain = 0;
  int subtask = 0;
  std::vector<input_channel_plan> inputs;
  std::vector<output_edge_plan> outputs;
};

class execution_plan {
 public:
  [[nodiscard]] static expected<execution_plan> build(const job_graph& graph,
                                                      const plan_options& opts);

  [[nodiscard]] const std::vector<chain_plan>& chains() const noexcept { return chains_; }
  [[nodiscard]] const std::vector<task_plan>& tasks() const noexcept { return tasks_; }
  [[nodiscard]] std::uint32_t channel_count() const noexcept { return channels_; }
  [[nodiscard]] const plan_options& options() const noexcept { return opts_; }
  [[nodiscard]] std::string to_text(const job_graph& graph) const;

 private:
  std::vector<chain_plan> chains_;
  std::vector<task_plan> tasks_;
  std::uint32_t channels_ = 0;
  plan_options opts_;
};

}  // namespace dataflow
