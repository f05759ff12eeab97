#include "dataflow/graph/job_graph.hpp"

#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace dataflow {

int job_graph::add_node(job_node node) {
  node.id = static_cast<int>(nodes_.size());
  // Default uids follow the order of construction, which is the same for the same program.
  if (node.uid.empty()) node.uid = node.kind + "-" + std::to_string(node.id);
  nodes_.push_back(std::move(node));
  return nodes_.back().id;
}

void job_graph::add_edge(job_edge edge) {
  edges_.push_back(std::move(edge));
}

std::vector<const job_edge*> job_graph::inputs_of(int id) const {
  std::vector<const job_edge*> r;
  for (auto& e : edges_)
    if (e.to == id) r.push_back(&e);
  return r;
}

std::vector<const job_edge*> job_graph::outputs_of(int id) const {
  std::vector<const job_edge*> r;
  for (auto& e : edges_)
    if (e.from == id) r.push_back(&e);
  return r;
}

int job_graph::parallelism_of(int id, int default_parallelism) const {
  int p = node(id).parallelism;
  return p > 0 ? p : default_parallelism;
}

partitioning job_graph::effective_partitioning(const job_edge& e, int default_parallelism) const {
  if (e.explicit_kind) return e.kind;
  return parallelism_of(e.from, default_parallelism) == parallelism_of(e.to, default_parallelism)
             ? partitioning::forward
             : partitioning::rebalance;
}

namespace {

std::string describe(const job_node& n) {
  return "'" + n.name + "' (uid " + n.uid + ")";
}

}  // namespace

status job_graph::validate(int default_parallelism, int max_parallelism) const {
  if (default_parallelism < 1)
    return {errc::invalid_configuration,
            "parallelism must be at least 1, got " + std::to_string(default_parallelism)};
  if (max_parallelism < 1 || max_parallelism > 32768)
    return {errc::invalid_configuration,
            "max_parallelism must be in [1, 32768], got " + std::to_string(max_parallelism)};
  if (nodes_.empty()) return {errc::invalid_graph, "the job has no operators"};
  std::set<std::string> uids;
  bool has_sink = false;
  for (auto& n : nodes_) {
    if (!uids.insert(n.uid).second)
      return {errc::invalid_graph, "two operators have the uid '" + n.uid + "'"};
    if (n.parallelism < 0)
      return {errc::invalid_configuration,
              "operator " + describe(n) + " has parallelism " + std::to_string(n.parallelism)};
    if (n.role == node_role::sink) has_sink = true;
    auto ins = inputs_of(n.id);
    if (n.role == node_role::source && !ins.empty())
      return {errc::invalid_graph, "source " + describe(n) + " has inputs"};
    if (n.role != node_role::source && ins.empty())
      return {errc::invalid_graph, "operator " + describe(n) + " has no input"};
  }
  if (!has_sink)
    return {errc::invalid_graph, "the job has no sink: add sink_to(), collect() or print()"};
  for (auto& e : edges_) {
    if (e.from < 0 || e.to < 0 || e.from >= static_cast<int>(nodes_.size()) ||
        e.to >= static_cast<int>(nodes_.size()))
      return {errc::invalid_graph, "an edge points at a node that does not exist"};
    auto& from = node(e.from);
    auto& to = node(e.to);
    int pf = parallelism_of(e.from, default_parallelism);
    int pt = parallelism_of(e.to, default_parallelism);
    auto kind = effective_partitioning(e, default_parallelism);
    if (kind == partitioning::forward && pf != pt)
      return {errc::invalid_graph, "forward edge " + describe(from) + " -> " + describe(to) +
                                       " joins parallelism " + std::to_string(pf) + " and " +
                                       std::to_string(pt) +
                                       "; use rebalance() or equal parallelism"};
    if (kind == partitioning::hash && pt > max_parallelism)
      return {errc::invalid_configuration, "keyed operator " + describe(to) + " has parallelism " +
                                               std::to_string(pt) + " above max_parallelism " +
                                               std::to_string(max_parallelism)};
    if (!from.output_type && e.side_tag.empty())
      return {errc::invalid_graph, "sink " + describe(from) + " cannot feed another operator"};
  }
  return status::ok();
}

std::string job_graph::to_text(int default_parallelism) const {
  std::ostringstream os;
  for (auto& n : nodes_) {
    os << n.id << " " << n.kind << " '" << n.name << "' (uid " << n.uid << ") x"
       << parallelism_of(n.id, default_parallelism);
    if (!n.detail.empty()) os << " [" << n.detail << "]";
    auto ins = inputs_of(n.id);
    if (!ins.empty()) {
      os << " <-";
      for (auto* e : ins) {
        os << " " << e->from;
        if (!e->side_tag.empty()) os << "." << e->side_tag;
        os << " [" << to_string(effective_partitioning(*e, default_parallelism)) << "]";
        if (e->input != 0) os << " as input " << e->input;
      }
    }
    os << "\n";
  }
  return os.str();
}

std::string job_graph::to_json(int default_parallelism) const {
  nlohmann::json j;
  j["nodes"] = nlohmann::json::array();
  for (auto& n : nodes_) {
    nlohmann::json jn{{"id", n.id},
                      {"name", n.name},
                      {"uid", n.uid},
                      {"kind", n.kind},
                      {"role", n.role == node_role::source ? "source"
                               : n.role == node_role::sink ? "sink"
                                                           : "transform"},
                      {"parallelism", parallelism_of(n.id, default_parallelism)}};
    if (!n.detail.empty()) jn["detail"] = n.detail;
    j["nodes"].push_back(std::move(jn));
  }
  j["edges"] = nlohmann::json::array();
  for (auto& e : edges_) {
    nlohmann::json je{{"from", e.from},
                      {"to", e.to},
                      {"input", e.input},
                      {"partitioning", to_string(effective_partitioning(e, default_parallelism))}};
    if (!e.side_tag.empty()) je["side_output"] = e.side_tag;
    j["edges"].push_back(std::move(je));
  }
  return j.dump(2);
}

}  // namespace dataflow
