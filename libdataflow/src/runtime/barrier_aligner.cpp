#include "dataflow/runtime/barrier_aligner.hpp"

namespace dataflow {

barrier_aligner::barrier_aligner(std::size_t channels)
    : blocked_(channels, false), ended_(channels, false) {}

std::optional<std::int64_t> barrier_aligner::pending() const noexcept {
  if (state_ == state_kind::collecting_barriers) return current_;
  return {};
}

void barrier_aligner::reset() {
  state_ = state_kind::waiting_for_first_barrier;
  blocked_.assign(blocked_.size(), false);
  received_ = 0;
}

std::optional<std::int64_t> barrier_aligner::on_barrier(std::size_t ch, std::int64_t id) {
  if (id <= last_completed_) return {};  // stale
  if (state_ == state_kind::collecting_barriers) {
    if (id < current_) return {};  // older than the one being aligned
    if (id > current_) {           // a newer barrier overtakes: abort the older alignment
      ++aborted_;
      reset();
    }
  }
  if (state_ == state_kind::waiting_for_first_barrier) {
    state_ = state_kind::collecting_barriers;
    current_ = id;
  }
  if (!blocked_[ch]) {
    blocked_[ch] = true;
    ++received_;
  }
  return complete_if_aligned();
}

std::optional<std::int64_t> barrier_aligner::on_end(std::size_t ch) {
  ended_[ch] = true;
  if (state_ != state_kind::collecting_barriers) return {};
  return complete_if_aligned();
}

std::optional<std::int64_t> barrier_aligner::complete_if_aligned() {
  for (std::size_t i = 0; i < blocked_.size(); ++i)
    if (!blocked_[i] && !ended_[i]) return {};
  auto id = current_;
  last_completed_ = id;
  reset();
  return id;
}

}  // namespace dataflow
