// Decides when checkpoints are taken and when they are complete, with no messaging: its host
// (the job master actor) asks due() on a timer, injects barriers at the sources for the id
// trigger() returns, passes each instance's acknowledgement in, and tells tasks when one is
// complete. One checkpoint at a time (a due one waits for the pending one). Once a task has
// finished, no new checkpoint starts and a pending one is aborted: a finished task takes no
// barrier, so it could never complete.
//
//   checkpoint_coordinator c(*checkpoint_storage::open(dir), describe_job(graph, opts), 10'000);
//   if (c.due(now)) if (auto p = c.trigger(now)) inject barriers for (*p)->id() ...
//   auto done = c.acknowledge(id, uid, written, now);  // a completed_checkpoint when the last
//
// Thread-safety: owned by one actor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataflow/api/job_result.hpp"
#include "dataflow/checkpoint/checkpoint_storage.hpp"
#include "dataflow/checkpoint/job_description.hpp"
#include "dataflow/checkpoint/pending_checkpoint.hpp"

namespace dataflow {

class checkpoint_coordinator {
 public:
  /// Checkpoints every `interval_ms` of processing time into `storage`.
  checkpoint_coordinator(checkpoint_storage storage, job_description job, std::int64_t interval_ms);

  /// The job started at `now_ms`: the first checkpoint is due one interval later.
  void start(std::int64_t now_ms) noexcept { next_due_ = now_ms + interval_ms_; }

  /// Whether a checkpoint should start at processing time `now_ms`.
  [[nodiscard]] bool due(std::int64_t now_ms) const;
  /// When the next one is due (for the host's timer).
  [[nodiscard]] std::int64_t next_due() const noexcept { return next_due_; }

  /// Starts the next checkpoint: its directory exists, barriers may go out.
  [[nodiscard]] expected<const pending_checkpoint*> trigger(std::int64_t now_ms);

  /// Instance `written.subtask` of `uid` stored its part of checkpoint `id`. Returns the
  /// completed checkpoint when that was the last part (the metadata is written then), nothing
  /// otherwise; acknowledgements of aborted checkpoints are ignored.
  [[nodiscard]] expected<std::optional<checkpoint_record>> acknowledge(std::int64_t id,
                                                                       std::string_view uid,
                                                                       subtask_state written,
                                                                       std::int64_t now_ms);

  /// Gives up the pending checkpoint (an instance declined, or a task finished); its
  /// directory is deleted and `reason` goes to aborted().
  void abort_pending(const std::string& reason);

  /// A task finished: no checkpoint starts any more.
  void on_task_finished();

  [[nodiscard]] const pending_checkpoint* pending() const noexcept {
    return pending_ ? &*pending_ : nullptr;
  }
  [[nodiscard]] const std::vector<checkpoint_record>& completed() const noexcept {
    return completed_;
  }
  /// "chk-4: <reason>" for every aborted checkpoint.
  [[nodiscard]] const std::vector<std::string>& aborted() const noexcept { return aborted_; }

 private:
  checkpoint_storage storage_;
  job_description job_;
  std::int64_t interval_ms_;
  std::int64_t next_due_ = 0;
  std::int64_t next_id_ = 1;
  std::int64_t started_ms_ = 0;
  std::int64_t max_alignment_ms_ = 0;
  bool stopped_ = false;
  std::optional<pending_checkpoint> pending_;
  std::vector<checkpoint_record> completed_;
  std::vector<std::string> aborted_;
};

}  // namespace dataflow
