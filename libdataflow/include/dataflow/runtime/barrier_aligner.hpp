// Aligned checkpoint barriers (Chandy-Lamport / ABS) as an explicit state machine. While a
// checkpoint is being aligned, channels that already delivered its barrier are blocked: their
// later input waits until every live channel has delivered the barrier. A newer barrier aborts
// the alignment of an older one; an older one is ignored. Ended channels count as aligned.
// Thread-safety: owned by one operator instance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace dataflow {

class barrier_aligner {
 public:
  enum class state_kind { waiting_for_first_barrier, collecting_barriers };

  explicit barrier_aligner(std::size_t channels);

  /// Barrier `id` arrived on `ch`. Returns `id` when it is aligned on all live channels.
  std::optional<std::int64_t> on_barrier(std::size_t ch, std::int64_t id);

  /// Channel `ch` ended. Returns the pending checkpoint if that completes its alignment.
  std::optional<std::int64_t> on_end(std::size_t ch);

  /// Whether input from `ch` must wait (it delivered the pending barrier already).
  [[nodiscard]] bool is_blocked(std::size_t ch) const { return blocked_[ch]; }

  [[nodiscard]] state_kind state() const noexcept { return state_; }
  [[nodiscard]] std::optional<std::int64_t> pending() const noexcept;
  /// Checkpoints dropped because a newer barrier overtook them.
  [[nodiscard]] std::size_t aborted() const noexcept { return aborted_; }

 private:
  std::optional<std::int64_t> complete_if_aligned();
  void reset();

  state_kind state_ = state_kind::waiting_for_first_barrier;
  std::int64_t current_ = -1;
  std::int64_t last_completed_ = -1;
  std::vector<bool> blocked_;
  std::vector<bool> ended_;
  std::size_t received_ = 0;
  std::size_t aborted_ = 0;
};

}  // namespace dataflow
