#include "dataflow/graph/execution_plan.hpp"

#include <map>
#include <sstream>

namespace dataflow {

expected<execution_plan> execution_plan::build(const job_graph& g, const plan_options& opts) {
  if (auto s = g.validate(opts.default_parallelism, opts.max_parallelism); !s) return s;
  execution_plan plan;
  plan.opts_ = opts;
  const int n = static_cast<int>(g.nodes().size());
  auto par = [&](int id) { return g.parallelism_of(id, opts.default_parallelism); };

  // A node joins its producer's chain when the one edge between them is a forward edge on the
  // main output, the producer feeds nothing else, and the node reads nothing else.
  std::vector<int> chain_of(n, -1);
  auto chained_to_producer = [&](int id) -> int {
    if (!opts.chaining) return -1;
    auto ins = g.inputs_of(id);
    if (ins.size() != 1 || !ins[0]->side_tag.empty()) return -1;
    auto* e = ins[0];
    if (g.effective_partitioning(*e, opts.default_parallelism) != partitioning::forward) return -1;
    if (g.outputs_of(e->from).size() != 1) return -1;
    if (g.node(id).inputs != 1) return -1;
    return e->from;
  };
  // Nodes are added in topological order by the API (a node's inputs exist before it).
  for (int id = 0; id < n; ++id) {
    int producer = chained_to_producer(id);
    if (producer >= 0 && chain_of[producer] >= 0 &&
        plan.chains_[chain_of[producer]].nodes.back() == producer) {
      chain_of[id] = chain_of[producer];
      auto& c = plan.chains_[chain_of[id]];
      c.nodes.push_back(id);
      c.name += " -> " + g.node(id).name;
    } else {
      chain_of[id] = static_cast<int>(plan.chains_.size());
      plan.chains_.push_back(chain_plan{{id}, par(id), g.node(id).name});
    }
  }

  // Tasks: one per chain instance.
  std::vector<int> first_task(plan.chains_.size());
  for (std::size_t c = 0; c < plan.chains_.size(); ++c) {
    first_task[c] = static_cast<int>(plan.tasks_.size());
    for (int s = 0; s < plan.chains_[c].parallelism; ++s) {
      task_plan t;
      t.index = static_cast<int>(plan.tasks_.size());
      t.chain = static_cast<int>(c);
      t.subtask = s;
      plan.tasks_.push_back(std::move(t));
    }
  }

  // Channels: every edge between chains, per sending and receiving instance.
  for (auto& e : g.edges()) {
    int cf = chain_of[e.from], ct = chain_of[e.to];
    if (cf == ct) continue;  // inside a chain
    auto& from = plan.chains_[cf];
    auto& to = plan.chains_[ct];
    if (from.nodes.back() != e.from)
      return status{errc::invalid_graph, "internal: edge leaves the middle of a chain"};
    auto kind = g.effective_partitioning(e, opts.default_parallelism);
    for (int s = 0; s < from.parallelism; ++s) {
      output_edge_plan out;
      out.edge = &e;
      out.kind = kind;
      auto& sender = plan.tasks_[first_task[cf] + s];
      auto add = [&](int r) {
        auto id = plan.channels_++;
        auto& receiver = plan.tasks_[first_task[ct] + r];
        out.targets.push_back({id, receiver.index});
        receiver.inputs.push_back({id, e.input, sender.index});
      };
      if (kind == partitioning::forward)
        add(s);
      else
        for (int r = 0; r < to.parallelism; ++r) add(r);
      sender.outputs.push_back(std::move(out));
    }
  }
  return plan;
}

std::string execution_plan::to_text(const job_graph& g) const {
  std::ostringstream os;
  for (std::size_t c = 0; c < chains_.size(); ++c) {
    os << "task " << c << ": " << chains_[c].name << " x" << chains_[c].parallelism;
    os << " (nodes";
    for (int id : chains_[c].nodes) os << " " << id << ":" << g.node(id).kind;
    os << ")\n";
  }
  os << tasks_.size() << " instances, " << channels_ << " channels\n";
  return os.str();
}

}  // namespace dataflow
