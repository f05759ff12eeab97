// What users implement to write a stream somewhere. Called by one sink instance, never
// concurrently, a batch at a time. Thread-safety: one object per sink instance.
#pragma once

#include <cstdint>
#include <vector>

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
  virtual void on_barrier(std::int64_t checkpoint) { (void)checkpoint; }
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
