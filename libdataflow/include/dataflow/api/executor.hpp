// Runs job graphs. libdataflow only builds graphs; the actor runtime (dataflow_actors)
// provides executors: embedded in this process today, a networked cluster later.
// Thread-safety: a job_handle may be used from any one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "dataflow/api/job_options.hpp"
#include "dataflow/api/job_result.hpp"
#include "dataflow/graph/job_graph.hpp"

namespace dataflow {

/// A running job.
class job_handle {
 public:
  virtual ~job_handle() = default;
  /// Stops the job: sources stop, instances report their metrics and exit.
  virtual void cancel() = 0;
  /// Injects checkpoint barrier `id` at every source (checkpoints proper arrive with #6).
  virtual void trigger_barrier(std::int64_t id) = 0;
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
