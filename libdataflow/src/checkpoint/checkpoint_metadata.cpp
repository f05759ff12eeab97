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

std::int64_t subtask_state::start_delay_ms(std::int64_t created_ms) const noexcept {
  return barrier_at_ms > 0 ? std::max<std::int64_t>(0, barrier_at_ms - created_ms) : 0;
}

std::int64_t subtask_state::end_to_end_ms(std::int64_t created_ms) const noexcept {
  return acknowledged_at_ms > 0 ? std::max<std::int64_t>(0, acknowledged_at_ms - created_ms) : 0;
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
