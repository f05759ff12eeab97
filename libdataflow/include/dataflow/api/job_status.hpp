// What a running job reports about itself on request (job_handle::current_status): whether it
// runs, and its checkpoints and savepoints so far. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dataflow {

/// Where a job is in its life.
enum class job_state : std::uint8_t {
  /// Tasks run; checkpoints and savepoints can be taken.
  running,
  /// A task has finished or the job is being stopped or cancelled: no checkpoint starts.
  ending,
  /// Every task finished: the bounded input is done.
  finished,
  /// Cancelled (job_handle::cancel) before the input was done.
  cancelled,
  /// Stopped after a savepoint (job_handle::stop_with_savepoint).
  stopped,
  /// A task failed, or the runtime lost one.
  failed,
};

/// "running", "ending", "finished", "cancelled", "stopped" or "failed".
std::string_view to_string(job_state s) noexcept;

struct job_status {
  std::string job;
  job_state state = job_state::running;
  /// Periodic checkpoints and savepoints completed so far.
  std::int64_t checkpoints_completed = 0;
  std::int64_t savepoints_completed = 0;
  /// Checkpoints and savepoints given up (job_result::checkpoints_aborted has the reasons).
  std::int64_t checkpoints_aborted = 0;
  /// The directory of the newest complete checkpoint and savepoint; empty when none.
  std::string latest_checkpoint;
  std::string latest_savepoint;
  /// The id of the checkpoint or savepoint in flight; 0 when none.
  std::int64_t pending_checkpoint = 0;
  /// Where checkpoints go (empty: none configured; savepoints then need a target).
  std::string checkpoint_directory;
  /// The checkpoint or savepoint the job was restored from; empty when it started empty.
  std::string restored_from;
  /// Tasks in the job, and how many have ended.
  std::int64_t tasks = 0;
  std::int64_t tasks_ended = 0;
};

}  // namespace dataflow
