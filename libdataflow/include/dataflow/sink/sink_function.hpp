// What users implement to write a stream somewhere. Called by one sink instance, never
// concurrently, a batch at a time. Thread-safety: one object per sink instance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/core/status.hpp"
#include "dataflow/operator/operator_context.hpp"
#include "dataflow/record/record.hpp"

namespace dataflow {

template <class T>
class sink_function {
 public:
  virtual ~sink_function() = default;
  virtual void open(const operator_info& info) { (void)info; }
  virtual void write(const std::vector<record<T>>& records) = 0;
  virtual void on_watermark(timestamp wm) { (void)wm; }
  /// Checkpoint barrier `checkpoint` arrived after the records written so far; snapshot()
  /// follows at once. A two-phase-commit sink seals here what the checkpoint will publish.
  virtual void on_barrier(std::int64_t checkpoint) { (void)checkpoint; }
  /// Checkpoint `checkpoint` is complete: a two-phase-commit sink publishes what it sealed for
  /// it and for earlier ones. May come late or never (see operator_base).
  virtual void notify_checkpoint_complete(std::int64_t checkpoint) { (void)checkpoint; }
  /// The sink's state for the checkpoint whose barrier came last. Default: none.
  [[nodiscard]] virtual status snapshot(std::string& out) const {
    out.clear();
    return status::ok();
  }
  /// Restores what snapshot() wrote, before open(). Default: nothing to restore.
  [[nodiscard]] virtual status restore(std::string_view bytes) {
    (void)bytes;
    return status::ok();
  }
  /// The input ended (bounded jobs); not called when the job is cancelled.
  virtual void close() {}
};

/// A sink that calls `fn(const std::vector<record<T>>&)` per batch (each instance its own copy of
/// fn): counters, metrics, hand-offs to other code. See data_stream::for_each_batch.
template <class T, class F>
class batch_fn_sink final : public sink_function<T> {
 public:
  explicit batch_fn_sink(F fn) : fn_(std::move(fn)) {}
  void write(const std::vector<record<T>>& records) override { fn_(records); }

 private:
  F fn_;
};

}  // namespace dataflow
