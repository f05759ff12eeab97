#include "dataflow/runtime/task_factory.hpp"

namespace dataflow {

expected<std::vector<std::shared_ptr<task_spec>>> make_task_specs(const job_graph& g,
                                                                  const execution_plan& plan,
                                                                  const job_options& opts,
                                                                  const processing_clock* clock) {
  std::vector<std::shared_ptr<task_spec>> specs;
  for (auto& t : plan.tasks()) {
    auto& chain = plan.chains()[static_cast<std::size_t>(t.chain)];
    auto spec = std::make_shared<task_spec>();
    spec->index = t.index;
    spec->name = chain.name;
    spec->subtask = t.subtask;
    spec->parallelism = chain.parallelism;
    spec->channels = opts.channels;
    spec->drain = opts.drain_on_end;
    spec->snapshot_on_task = opts.checkpoints.snapshot_on_task;
    auto context_of = [&](const job_node& n) {
      operator_context ctx;
      ctx.info = operator_info{n.name, n.uid, t.subtask, chain.parallelism, opts.max_parallelism};
      // With a checkpoint directory the job takes checkpoints or savepoints (on request).
      ctx.info.checkpointing = !opts.checkpoints.directory.empty();
      ctx.backend = opts.backend.get();
      ctx.clock = clock;
      return ctx;
    };
    std::vector<std::unique_ptr<operator_base>> ops;
    std::vector<const record_type*> types;
    for (int id : chain.nodes) {
      auto& n = g.node(id);
      try {
        if (n.role == node_role::source) {
          spec->source = n.make_source();
          spec->source_type = n.output_type;
          spec->source_context = context_of(n);
          continue;
        }
        ops.push_back(n.make_operator());
      } catch (const std::exception& e) {
        return status{errc::operator_failed,
                      "cannot create operator '" + n.name + "' (uid " + n.uid + "): " + e.what()};
      }
      types.push_back(n.output_type);
      spec->contexts.push_back(context_of(n));
      spec->operator_names.push_back(n.name);
    }
    spec->chain = std::make_unique<operator_chain>(std::move(ops), std::move(types));
    for (auto& in : t.inputs) spec->inputs.push_back({in.channel, in.input, in.from_task});
    for (auto& out : t.outputs) {
      output_gate::edge_spec e;
      e.side_tag = out.edge->side_tag;
      e.type = out.edge->type;
      e.route = out.edge->make_router(router_params{
          out.kind, t.subtask, static_cast<int>(out.targets.size()), opts.max_parallelism});
      for (auto& target : out.targets) e.channels.emplace_back(target.channel, target.to_task);
      spec->outputs.push_back(std::move(e));
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace dataflow
