#include "dataflow/checkpoint/checkpoint_metadata.hpp"

#include <algorithm>

namespace dataflow {

std::string_view to_string(checkpoint_kind kind) noexcept {
  switch (kind) {
    case checkpoint_kind::checkpoint:
      return "checkpoint";
    case checkpoint_kind::savepoint:
      return "savepoint";
  }
  return "unknown";
}

bool operator_state::has_state() const noexcept {
  return std::any_of(subtasks.begin(), subtasks.end(), [](const subtask_state& s) {
    return s.size > 0 || s.source_position.has_value();
  });
}

std::uint64_t operator_state::state_size() const noexcept {
  std::uint64_t n = 0;
  for (auto& s : subtasks) n += s.size;
  return n;
}

std::int64_t operator_state::alignment_ms() const noexcept {
  std::int64_t m = 0;
  for (auto& s : subtasks) m = std::max(m, s.alignment_ms);
  return m;
}

const operator_state* checkpoint_metadata::find(std::string_view uid) const noexcept {
  for (auto& op : operators)
    if (op.uid == uid) return &op;
  return nullptr;
}

}  // namespace dataflow
