// Runs job graphs. libdataflow only builds graphs; the actor runtime (dataflow_actors)
// provides executors: embedded in this process today, a networked cluster later.
// Thread-safety: a job_handle is used from one thread, except that cancel(), trigger_savepoint(),
// stop_with_savepoint() and current_status() may also be called from other threads, also while
// one waits in wait() (the CLI's control port does so). The handle must outlive those calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "dataflow/api/job_options.hpp"
#include "dataflow/api/job_result.hpp"
#include "dataflow/api/job_status.hpp"
#include "dataflow/graph/job_graph.hpp"

namespace dataflow {

/// A running job.
class job_handle {
 public:
  virtual ~job_handle() = default;
  /// Stops the job: sources stop, instances report their metrics and exit.
  virtual void cancel() = 0;
  /// Injects checkpoint barrier `id` at every source, outside the checkpoint coordinator (for
  /// tests of barrier alignment: no state is stored).
  virtual void trigger_barrier(std::int64_t id) = 0;
  /// Takes a savepoint and waits for it: barriers, alignment and state files as for a
  /// checkpoint, `_metadata` of kind savepoint, never deleted by retention. It goes into
  /// `target_dir` (a new or empty directory), or `<checkpoint directory>/savepoint-<id>` when
  /// empty. A savepoint asked for while a checkpoint is in flight starts right after it.
  /// Returns its directory, or why not: no target and no checkpoint directory
  /// (invalid_configuration), the job has ended or a task finished (not_running), the
  /// savepoint failed (its reason). The job goes on either way.
  virtual expected<std::string> trigger_savepoint(const std::string& target_dir = {}) = 0;
  /// Stop with a savepoint (Flink's stop without --drain): takes a savepoint as
  /// trigger_savepoint() does; once it is complete and every task has heard so (two-phase
  /// sinks have committed), stops every task without the final watermark, so windows still
  /// open do not fire and their state is in the savepoint. Returns the savepoint's directory
  /// once the job has ended (job_result::stop_savepoint holds it too). If the savepoint fails,
  /// the job keeps running and the error says why.
  virtual expected<std::string> stop_with_savepoint(const std::string& target_dir = {}) = 0;
  /// Whether the job runs, and its checkpoints and savepoints so far.
  virtual expected<job_status> current_status() = 0;
  /// Waits until the job ends; the result, or the error that failed it.
  virtual expected<job_result> wait() = 0;
  /// Waits at most `timeout`; true when the job has ended (then wait() returns at once).
  virtual bool wait_for(std::chrono::milliseconds timeout) = 0;
};

class executor {
 public:
  virtual ~executor() = default;
  /// Validates and starts the job; errors in the graph or options come back before it runs.
  virtual expected<std::unique_ptr<job_handle>> submit(std::shared_ptr<const job_graph> graph,
                                                       const job_options& opts) = 0;
};

}  // namespace dataflow
