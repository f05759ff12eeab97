#include "dataflow/checkpoint/restore_compatibility.hpp"

#include <algorithm>
#include <cstdio>

namespace dataflow {

namespace {

std::string describe_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

/// "3 KiB in 2 instances" or "the read positions of 2 instances".
std::string describe_state(const operator_state& op) {
  const auto n =
      std::to_string(op.subtasks.size()) + (op.subtasks.size() == 1 ? " instance" : " instances");
  if (op.source && op.state_size() == 0) return "the read positions of " + n;
  return describe_size(op.state_size()) + " in " + n;
}

std::string rescaled(int from, int to) {
  return "rescaled " + std::to_string(from) + " -> " + std::to_string(to);
}

compatibility_finding check_operator(const operator_state& op, const operator_description& d) {
  using level = compatibility_level;
  const bool state = op.has_state();
  if (d.kind != op.kind) {
    if (!state)
      return {level::ok, op.uid,
              "kind changed from " + op.kind + " to " + d.kind + "; it had no state"};
    return {level::incompatible, op.uid,
            "kind changed from " + op.kind + " to " + d.kind +
                ": the new operator cannot read its state (" + describe_state(op) + ")"};
  }
  if (state && op.keyed != d.keyed)
    return {level::incompatible, op.uid,
            op.keyed ? "was keyed, now is not: its state is split by key group"
                     : "was not keyed, now is keyed: its state is not split by key group"};
  if (state && op.keyed && op.max_parallelism != d.max_parallelism)
    return {level::incompatible, op.uid,
            "max_parallelism changed from " + std::to_string(op.max_parallelism) + " to " +
                std::to_string(d.max_parallelism) + ": its state is split into " +
                std::to_string(op.max_parallelism) + " key groups, which cannot change"};
  if (op.parallelism == d.parallelism)
    return {level::ok, op.uid,
            "restores as it was (parallelism " + std::to_string(d.parallelism) + ")"};
  const auto r = rescaled(op.parallelism, d.parallelism);
  if (!state) return {level::ok, op.uid, r + " (no state)"};
  if (op.source && d.reads_splits)
    return {level::ok, op.uid, r + " (its splits are redistributed)"};
  if (op.source)
    return {level::incompatible, op.uid,
            r + ": the read positions of a " + op.kind +
                " source are per instance (it does not read splits); keep parallelism " +
                std::to_string(op.parallelism)};
  if (!op.keyed)
    return {level::incompatible, op.uid,
            r + ": its state is not keyed, so it cannot be split; keep parallelism " +
                std::to_string(op.parallelism)};
  return {level::ok, op.uid, r};
}

}  // namespace

std::string_view to_string(compatibility_level level) noexcept {
  switch (level) {
    case compatibility_level::ok:
      return "ok";
    case compatibility_level::warning:
      return "warning";
    case compatibility_level::incompatible:
      return "incompatible";
  }
  return "unknown";
}

bool compatibility_report::compatible() const noexcept {
  return std::none_of(findings.begin(), findings.end(), [](const compatibility_finding& f) {
    return f.level == compatibility_level::incompatible;
  });
}

std::string compatibility_report::to_string() const {
  std::string out;
  std::size_t problems = 0, warnings = 0;
  for (auto& f : findings) {
    std::string level(dataflow::to_string(f.level));
    level.resize(std::max<std::size_t>(level.size() + 2, 14), ' ');
    out += level + f.uid + ": " + f.message + "\n";
    if (f.level == compatibility_level::incompatible) ++problems;
    if (f.level == compatibility_level::warning) ++warnings;
  }
  out += compatible() ? "verdict: compatible" : "verdict: incompatible";
  std::string counts;
  if (problems > 0) counts += std::to_string(problems) + (problems == 1 ? " problem" : " problems");
  if (warnings > 0)
    counts += (counts.empty() ? "" : ", ") + std::to_string(warnings) +
              (warnings == 1 ? " warning" : " warnings");
  if (!counts.empty()) out += " (" + counts + ")";
  out += "\n";
  return out;
}

compatibility_report check_restore_compatibility(const checkpoint_metadata& md,
                                                 const job_description& job,
                                                 const compatibility_options& options) {
  using level = compatibility_level;
  compatibility_report report;
  for (auto& op : md.operators) {
    if (const operator_description* d = job.find(op.uid)) {
      report.findings.push_back(check_operator(op, *d));
    } else if (!op.has_state()) {
      report.findings.push_back({level::ok, op.uid, "not in the new job; it had no state"});
    } else if (options.allow_dropped_state) {
      report.findings.push_back({level::warning, op.uid,
                                 "not in the new job: its state (" + describe_state(op) +
                                     ") is dropped (allow_dropped_state)"});
    } else {
      report.findings.push_back({level::incompatible, op.uid,
                                 "not in the new job: its state (" + describe_state(op) +
                                     ") would be dropped; allow_dropped_state drops it"});
    }
  }
  for (auto& d : job.operators)
    if (!md.find(d.uid))
      report.findings.push_back({level::ok, d.uid, "new " + d.kind + " operator, starts empty"});
  return report;
}

}  // namespace dataflow
