// What a finished (or cancelled) job reports: how long it ran and per-instance metrics.
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/time/timestamp.hpp"

namespace dataflow {

/// Metrics of one task (one instance of a chain of operators).
struct task_metrics {
  std::string name;  // the chain's name, "generator -> map"
  int subtask = 0;
  /// True for tasks headed by a source; their records_in counts records read.
  bool is_source = false;
  std::uint64_t records_in = 0;
  std::uint64_t batches_in = 0;
  std::uint64_t records_out = 0;
  std::uint64_t batches_out = 0;
  /// The largest number of batches this task had sent on one channel without credit back.
  int max_in_flight = 0;
  /// The largest number of batches waiting in this task's input queue.
  std::size_t max_queued = 0;
  /// Time spent unable to send for lack of credit (backpressure), in milliseconds.
  double backpressured_ms = 0;
  /// The last input watermark (min_timestamp if none).
  timestamp watermark = min_timestamp;
  /// For sources: (checkpoint id, records read before its barrier).
  std::vector<std::pair<std::int64_t, std::uint64_t>> barriers;
};

/// Where an instance's part of a checkpoint spent its time (see subtask_state).
struct checkpoint_breakdown {
  /// Trigger to the barrier reaching the instance: the barrier queued behind records.
  std::int64_t start_delay_ms = 0;
  /// First barrier to the last (several inputs).
  std::int64_t alignment_ms = 0;
  /// snapshot() on the task.
  std::int64_t sync_ms = 0;
  /// Waiting for the state writer and writing the file, off the task.
  std::int64_t async_ms = 0;
};

/// What one completed checkpoint or savepoint cost.
struct checkpoint_record {
  std::int64_t id = 0;
  std::string directory;
  std::int64_t duration_ms = 0;
  std::uint64_t size_bytes = 0;
  /// The largest of each part over all instances.
  checkpoint_breakdown max;
  /// The instance acknowledged last, which the checkpoint waited for ("uid#subtask", subtasks
  /// counted from 1); its own times are in the checkpoint's _metadata.
  std::string slowest;
  /// A savepoint (taken on request, kept by retention), not a periodic checkpoint.
  bool savepoint = false;
};

struct job_result {
  std::string job;
  bool cancelled = false;
  std::chrono::nanoseconds duration{0};
  std::vector<task_metrics> tasks;
  /// Checkpoints and savepoints completed, in order, and those given up ("chk-4: <reason>").
  std::vector<checkpoint_record> checkpoints;
  std::vector<std::string> checkpoints_aborted;
  /// The checkpoint or savepoint the job was restored from; empty when it started empty.
  std::string restored_from;
  /// The savepoint job_handle::stop_with_savepoint took before it stopped the job; empty when
  /// the job ended otherwise. A job stopped so is not `cancelled`.
  std::string stop_savepoint;

  /// Records read by all sources.
  [[nodiscard]] std::uint64_t source_records() const {
    std::uint64_t n = 0;
    for (auto& t : tasks)
      if (t.is_source) n += t.records_in;
    return n;
  }
  /// The metrics of the first task whose name contains `name`, subtask `subtask`.
  [[nodiscard]] const task_metrics* find(const std::string& name, int subtask = 0) const {
    for (auto& t : tasks)
      if (t.subtask == subtask && t.name.find(name) != std::string::npos) return &t;
    return nullptr;
  }
  [[nodiscard]] double seconds() const { return std::chrono::duration<double>(duration).count(); }
};

}  // namespace dataflow
