// The operators of one task, called in order: what operator i emits is fed to operator i+1
// within the same call, so a chain costs no messages. Only the last operator's output leaves
// the task (through the output gate). Thread-safety: owned by one task.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "dataflow/operator/operator.hpp"

namespace dataflow {

class operator_chain {
 public:
  /// `output_types[i]` is operator i's main output type (null for a sink).
  operator_chain(std::vector<std::unique_ptr<operator_base>> ops,
                 std::vector<const record_type*> output_types);

  /// Opens operator i with contexts[i].
  void open(const std::vector<operator_context>& contexts);

  /// Each call returns the last operator's output for this call; the caller consumes it
  /// before the next call (which clears it). These need at least one operator; only
  /// on_source_output accepts an empty chain (a source with nothing chained), passing through.
  operator_output& on_batch(int input, const batch_base& in);
  operator_output& on_watermark(timestamp wm);
  operator_output& on_watermark_status(watermark_status st);
  operator_output& on_processing_time(timestamp now);
  operator_output& on_barrier(std::int64_t id);
  operator_output& on_end();

  /// Whether an operator holds back output (see operator.hpp); the task then takes no input
  /// and calls resume() until it is false.
  [[nodiscard]] bool has_pending_output() const;
  /// The next step of the last operator that holds back output, fed down the rest.
  operator_output& resume();

  /// Feeds output produced outside the chain (a source's poll) through every operator.
  operator_output& on_source_output(operator_output& produced);

  [[nodiscard]] std::optional<timestamp> next_processing_timer() const;
  [[nodiscard]] std::size_t size() const noexcept { return ops_.size(); }
  /// The operator that was running when a call threw (for error messages).
  [[nodiscard]] std::size_t active() const noexcept { return active_; }
  operator_base& at(std::size_t i) { return *ops_[i]; }

 private:
  void clear_outputs();
  /// Feeds outs_[i - 1] (records, then its watermark; a status change before or after, see
  /// operator_output) into ops_[i].
  void feed(std::size_t i);
  /// Feeds outs_[i - 1] into ops_[i] ... ops_.back().
  operator_output& propagate_from(std::size_t i);
  /// Feeds `produced` into ops_[i] in the order operator_output defines.
  void feed_into(std::size_t i, operator_output& produced);

  std::vector<std::unique_ptr<operator_base>> ops_;
  std::vector<operator_output> outs_;
  std::size_t active_ = 0;
};

}  // namespace dataflow
