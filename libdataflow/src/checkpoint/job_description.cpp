#include "dataflow/checkpoint/job_description.hpp"

namespace dataflow {

const operator_description* job_description::find(std::string_view uid) const noexcept {
  for (auto& op : operators)
    if (op.uid == uid) return &op;
  return nullptr;
}

job_description describe_job(const job_graph& graph, const job_options& options) {
  job_description job;
  job.name = options.name;
  job.max_parallelism = options.max_parallelism;
  for (auto& n : graph.nodes()) {
    operator_description op;
    op.uid = n.uid;
    op.name = n.name;
    op.kind = n.kind;
    op.parallelism = graph.parallelism_of(n.id, options.parallelism);
    op.max_parallelism = options.max_parallelism;
    op.source = n.role == node_role::source;
    op.reads_splits = op.source && n.reads_splits;
    for (const job_edge* e : graph.inputs_of(n.id))
      if (graph.effective_partitioning(*e, options.parallelism) == partitioning::hash)
        op.keyed = true;
    job.operators.push_back(std::move(op));
  }
  return job;
}

}  // namespace dataflow
