// Options of a job, validated once when it starts. Thread-safety: plain values.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "dataflow/core/status.hpp"
#include "dataflow/graph/key_group.hpp"
#include "dataflow/runtime/channel_options.hpp"
#include "dataflow/state/state_backend.hpp"

namespace dataflow {

/// How the embedded actor system schedules task actors on its threads (bench/README.md).
enum class scheduler_policy {
  /// CAF's work stealing: a woken actor runs on the thread that woke it; idle threads steal,
  /// polling for work (sleeping 50 us at a time) for about 25 ms after their last job, which
  /// at a steady low rate is most of a job's CPU time.
  work_stealing,
  /// CAF's work sharing: one shared queue; idle threads sleep until work arrives, and a woken
  /// consumer tends to run beside its producer. Its queue costs more per message: tiny batches
  /// and some jobs on large keyed state are faster under work stealing.
  work_sharing,
};

struct job_options {
  /// Shown in logs and metrics. Default: "job".
  std::string name = "job";
  /// Instances of each operator that does not set its own. Default: 1.
  int parallelism = 1;
  /// Key groups, the upper bound for keyed parallelism; fixed for the life of the state.
  /// Default: 128.
  int max_parallelism = default_max_parallelism;
  /// Batch size, buffer timeout and credits of every channel.
  channel_options channels;
  /// Run forward-connected operators of equal parallelism in one actor. Default: true.
  bool chaining = true;
  /// Threads of the embedded actor system's scheduler; 0 means one per core. Default: 0.
  int threads = 0;
  /// Scheduler of the embedded actor system. Default: work_sharing.
  scheduler_policy scheduler = scheduler_policy::work_sharing;
  /// At the end of bounded input, send the final watermark, so every window still open fires
  /// (Flink's end of input, and its stop with --drain). False ends without it, like a stop
  /// without --drain: open windows and elements waiting for them produce nothing, which is
  /// what a benchmark of the steady state wants. Default: true.
  bool drain_on_end = true;
  /// Where keyed state lives. Default: memory.
  std::shared_ptr<state_backend> backend = make_memory_state_backend();

  /// Checkpoints: taken every `interval` into `directory` (chk-<id>/, see docs/checkpoints.md)
  /// when both are set; the last `retained` complete ones are kept. A directory without an
  /// interval takes no periodic checkpoints, only savepoints on request
  /// (job_handle::trigger_savepoint), into <directory>/savepoint-<id> by default. Either way
  /// two-phase-commit sinks then commit at checkpoints and savepoints only.
  /// A checkpoint or savepoint not complete after `timeout` is given up (an instance stuck
  /// behind backpressure would otherwise hold back every later one); 0: never.
  /// At a barrier an operator's state is frozen (heap values shared copy-on-write) and its
  /// bytes are written by the state writer's thread while the operator goes on; with
  /// `snapshot_on_task` they are written on the operator's task instead, which stops it for
  /// that long but costs less CPU and memory in all (docs/checkpoints.md has both measured).
  struct checkpoint_options {
    std::string directory;
    std::chrono::milliseconds interval{0};
    int retained = 3;
    std::chrono::milliseconds timeout{std::chrono::minutes(10)};
    bool snapshot_on_task = false;
  } checkpoints;
  /// Restore from this checkpoint or savepoint directory, or the latest complete checkpoint in
  /// a checkpoints directory, before starting. Empty: start empty.
  std::string restore_from;
  /// On restore, allow state of operators that are no longer in the job to be dropped.
  bool allow_dropped_state = false;

  [[nodiscard]] status validate() const;
};

}  // namespace dataflow
