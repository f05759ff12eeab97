// The operator contract. An operator is a plain object with no actor, no thread and no clock:
// the runtime (or the test harness) calls it, never concurrently, in stream order:
//   open, then any sequence of on_batch / on_watermark / on_watermark_status /
//   on_processing_time / on_barrier, then on_end after the final watermark.
// Records emitted during a call go to `out`; a watermark emitted goes after them.
// An operator may hold back part of a watermark's output (a window operator whose final
// watermark fires a week of windows per key): it then reports has_pending_output() and the
// caller calls resume() until it stops, with no other call in between, so each step's output
// leaves under backpressure before the next is made.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "dataflow/core/status.hpp"
#include "dataflow/operator/operator_context.hpp"
#include "dataflow/operator/operator_output.hpp"
#include "dataflow/state/deferred_snapshot.hpp"

namespace dataflow {

class operator_base {
 public:
  virtual ~operator_base() = default;

  virtual void open(const operator_context& ctx) { (void)ctx; }

  /// Records arrived on logical input `input` (0, or 1 for the second input of a join).
  virtual void on_batch(int input, const batch_base& in, operator_output& out) = 0;

  /// The input watermark advanced to `wm`. The default forwards it.
  virtual void on_watermark(timestamp wm, operator_output& out) { out.emit_watermark(wm); }

  /// The input became idle (every input channel is idle) or active again. The default
  /// forwards it; an operator that makes its own watermarks (an assigner) decides itself.
  virtual void on_watermark_status(watermark_status s, operator_output& out) {
    out.emit_watermark_status(s);
  }

  /// Processing time reached `now`; called when next_processing_timer() is due.
  virtual void on_processing_time(timestamp now, operator_output& out) {
    (void)now;
    (void)out;
  }

  /// The earliest processing time at which the operator wants on_processing_time.
  [[nodiscard]] virtual std::optional<timestamp> next_processing_timer() const { return {}; }

  /// Checkpoint barrier `id` is aligned at this operator; snapshot() follows at once. A sink
  /// that commits in two phases seals here what checkpoint `id` will make visible.
  virtual void on_barrier(std::int64_t id, operator_output& out) {
    (void)id;
    (void)out;
  }

  /// Checkpoint `id` is complete (every instance's state is stored and its metadata written):
  /// a two-phase-commit sink makes what it sealed for `id` (and earlier) visible. May come
  /// late or not at all (a failure in between); the next completed checkpoint covers both.
  virtual void notify_checkpoint_complete(std::int64_t id) { (void)id; }

  /// True while output of the last on_watermark (or resume) is held back.
  [[nodiscard]] virtual bool has_pending_output() const { return false; }

  /// Emits the next step of held-back output; the held watermark comes with the last step.
  virtual void resume(operator_output& out) { (void)out; }

  /// All inputs ended; the final watermark has been delivered.
  virtual void on_end(operator_output& out) { (void)out; }

  /// Writes the operator's state as bytes (cereal binary with a format version).
  [[nodiscard]] virtual status snapshot(std::string& out) const {
    out.clear();
    return status::ok();
  }

  /// The bytes snapshot() would write now, written later by the returned function on the
  /// node's state writer thread while the operator goes on (deferred_snapshot.hpp). The task
  /// calls this at a barrier. The default calls snapshot() now; operators with large state
  /// freeze it instead (keyed_state_store::freeze).
  [[nodiscard]] virtual expected<deferred_snapshot> snapshot_deferred() {
    std::string bytes;
    if (auto s = snapshot(bytes); !s) return s;
    return deferred_bytes(std::move(bytes));
  }

  /// Restores state written by snapshot().
  [[nodiscard]] virtual status restore(std::string_view bytes) {
    (void)bytes;
    return status::ok();
  }
};

}  // namespace dataflow
