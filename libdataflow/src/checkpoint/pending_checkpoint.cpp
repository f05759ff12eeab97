#include "dataflow/checkpoint/pending_checkpoint.hpp"

namespace dataflow {

pending_checkpoint::pending_checkpoint(std::string dir, checkpoint_metadata md)
    : dir_(std::move(dir)), md_(std::move(md)) {
  for (auto& op : md_.operators) {
    acked_.emplace_back(op.subtasks.size(), false);
    remaining_ += op.subtasks.size();
  }
}

status pending_checkpoint::acknowledge(std::string_view uid, subtask_state written) {
  const std::string who = std::string(to_string(md_.kind)) + " " + std::to_string(md_.id) +
                          ": instance " + std::string(uid) + "/" + std::to_string(written.subtask);
  for (std::size_t i = 0; i < md_.operators.size(); ++i) {
    auto& op = md_.operators[i];
    if (op.uid != uid) continue;
    if (written.subtask < 0 || written.subtask >= op.parallelism)
      return {errc::runtime_error,
              who + ": the operator has " + std::to_string(op.parallelism) + " instances"};
    const auto s = static_cast<std::size_t>(written.subtask);
    if (acked_[i][s]) return {errc::runtime_error, who + ": acknowledged twice"};
    if (written.file.empty()) return {errc::runtime_error, who + ": no snapshot file"};
    acked_[i][s] = true;
    --remaining_;
    op.subtasks[s] = std::move(written);
    return status::ok();
  }
  return {errc::runtime_error, who + ": no operator with this uid in the job"};
}

std::vector<std::string> pending_checkpoint::missing() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < md_.operators.size(); ++i)
    for (std::size_t s = 0; s < acked_[i].size(); ++s)
      if (!acked_[i][s]) out.push_back(md_.operators[i].uid + "/" + std::to_string(s));
  return out;
}

}  // namespace dataflow
