// Decides when checkpoints and savepoints are taken and when they are complete, with no
// messaging: its host (the job master actor) asks due() on a timer and after every change,
// injects barriers at the sources for what trigger() started, passes each instance's
// acknowledgement in, tells tasks when one is complete, and answers savepoint requests with
// take_outcomes().
//
// One at a time: a checkpoint that is due while another is in flight waits for it, and so
// does a requested savepoint, which then starts before the next periodic checkpoint
// (requests are served in order). Savepoints share the checkpoints' ids. Once a task has
// finished, or the job stops, nothing new starts, the one in flight is aborted and queued
// savepoints fail: a finished task takes no barrier, so it could never complete.
//
//   checkpoint_coordinator c(*checkpoint_storage::open(dir), describe_job(graph, opts), 10'000);
//   c.request_savepoint(7, "/backups/sp");          // request 7, answered in take_outcomes()
//   if (c.due(now)) if (auto p = c.trigger(now); p && *p) inject barriers for (*p)->id() ...
//   auto done = c.acknowledge(id, uid, written, now);  // a checkpoint_record when the last
//   for (auto& o : c.take_outcomes()) answer request o.request with o.result
//
// Thread-safety: owned by one actor.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/api/job_result.hpp"
#include "dataflow/checkpoint/checkpoint_storage.hpp"
#include "dataflow/checkpoint/job_description.hpp"
#include "dataflow/checkpoint/pending_checkpoint.hpp"

namespace dataflow {

/// How a savepoint request ended: the savepoint taken, or why not.
struct savepoint_outcome {
  std::int64_t request = 0;
  expected<checkpoint_record> result;
};

class checkpoint_coordinator {
 public:
  /// Checkpoints every `interval_ms` of processing time into `storage`; 0: none, only
  /// savepoints on request (into the storage's directory or a given target).
  checkpoint_coordinator(checkpoint_storage storage, job_description job, std::int64_t interval_ms);
  /// No checkpoint directory: no periodic checkpoints, and savepoints only into a given target.
  explicit checkpoint_coordinator(job_description job);

  /// A checkpoint or savepoint still in flight `timeout_ms` after it started is given up by
  /// expire(); 0 (the default here): never.
  void set_timeout(std::int64_t timeout_ms) noexcept { timeout_ms_ = timeout_ms; }
  [[nodiscard]] std::int64_t timeout() const noexcept { return timeout_ms_; }
  /// Gives up checkpoint `id` if it is still the one in flight and its time is up at `now_ms`
  /// ("expired after 600000 ms"); returns whether it did. The host calls it on a timer set
  /// at trigger() for timeout() ms.
  bool expire(std::int64_t id, std::int64_t now_ms);

  /// The job started at `now_ms`: the first checkpoint is due one interval later.
  void start(std::int64_t now_ms) noexcept { next_due_ = now_ms + interval_ms_; }

  /// Whether something should start at processing time `now_ms`: a requested savepoint, or a
  /// periodic checkpoint whose time has come; never while one is in flight.
  [[nodiscard]] bool due(std::int64_t now_ms) const;
  /// Periodic checkpoints are taken (interval > 0); the host's timer then asks due() again at
  /// next_due().
  [[nodiscard]] bool periodic() const noexcept { return interval_ms_ > 0; }
  [[nodiscard]] std::int64_t next_due() const noexcept { return next_due_; }

  /// Starts what is due: the oldest requested savepoint, else the next checkpoint. Its
  /// directory exists and barriers may go out. A savepoint that cannot begin (its target is
  /// not empty, say) fails only its request, and the next in line is tried; nullptr when
  /// nothing started. An error means a periodic checkpoint could not begin (the storage
  /// failed), which the host treats as a failure of the job.
  [[nodiscard]] expected<const pending_checkpoint*> trigger(std::int64_t now_ms);

  /// Asks for a savepoint into `target`, or <checkpoint directory>/savepoint-<id> when empty;
  /// `request` is the host's tag for the answer in take_outcomes(). Refused at once (an
  /// outcome) with no target and no checkpoint directory, or when nothing starts any more.
  void request_savepoint(std::int64_t request, std::string target);

  /// Instance `written.subtask` of `uid` stored its part of checkpoint `id`. Returns the
  /// completed checkpoint or savepoint when that was the last part (the metadata is written
  /// then), nothing otherwise; acknowledgements of aborted checkpoints are ignored. An error
  /// has aborted the checkpoint already (it is in aborted()).
  [[nodiscard]] expected<std::optional<checkpoint_record>> acknowledge(std::int64_t id,
                                                                       std::string_view uid,
                                                                       subtask_state written,
                                                                       std::int64_t now_ms);

  /// Gives up the checkpoint or savepoint in flight (an instance declined, or a task
  /// finished); its directory is deleted (or handed to the host, see below) and `reason` goes
  /// to aborted().
  void abort_pending(const std::string& reason);

  /// The host deletes the directories of aborted checkpoints itself, in order with the writes
  /// into them, and takes them from take_abandoned(). A host whose snapshots are written on
  /// another thread needs this: deleting a directory while a file is being written into it
  /// leaves the directory behind with that file.
  void leave_aborted_directories_to_host() noexcept { host_deletes_ = true; }
  /// The directories of checkpoints aborted since the last call (with
  /// leave_aborted_directories_to_host()), as (id, directory).
  [[nodiscard]] std::vector<std::pair<std::int64_t, std::string>> take_abandoned();

  /// A task finished: nothing starts any more.
  void on_task_finished();
  /// Nothing starts any more (the job is being stopped or cancelled): the one in flight is
  /// aborted and queued savepoint requests fail, with `reason`.
  void stop(const std::string& reason);
  /// Whether new checkpoints and savepoints are still possible.
  [[nodiscard]] bool stopped() const noexcept { return stopped_; }

  /// The answers to savepoint requests since the last call, in the order they were decided.
  [[nodiscard]] std::vector<savepoint_outcome> take_outcomes();

  [[nodiscard]] const pending_checkpoint* pending() const noexcept {
    return pending_ ? &*pending_ : nullptr;
  }
  /// The checkpoint directory; empty when savepoints need a target.
  [[nodiscard]] std::string directory() const {
    return storage_ ? storage_->directory() : std::string();
  }
  /// Checkpoints and savepoints completed, in order.
  [[nodiscard]] const std::vector<checkpoint_record>& completed() const noexcept {
    return completed_;
  }
  /// "chk-4: <reason>" (or "savepoint-5: <reason>") for every one given up.
  [[nodiscard]] const std::vector<std::string>& aborted() const noexcept { return aborted_; }

 private:
  struct request {
    std::int64_t tag = 0;
    std::string target;
  };
  [[nodiscard]] expected<pending_checkpoint> begin_savepoint(const request& r, std::int64_t now_ms);
  void fail_request(std::int64_t tag, status why);

  std::optional<checkpoint_storage> storage_;
  /// Where the one in flight is stored: storage_, or a savepoint target's parent without it.
  std::optional<checkpoint_storage> pending_storage_;
  job_description job_;
  std::int64_t interval_ms_ = 0;
  std::int64_t timeout_ms_ = 0;
  std::int64_t next_due_ = 0;
  std::int64_t next_id_ = 1;
  std::int64_t started_ms_ = 0;
  bool stopped_ = false;
  bool host_deletes_ = false;
  std::vector<std::pair<std::int64_t, std::string>> abandoned_;
  std::optional<pending_checkpoint> pending_;
  /// The request the savepoint in flight answers; empty for a periodic checkpoint.
  std::optional<std::int64_t> pending_request_;
  std::deque<request> requests_;
  std::vector<savepoint_outcome> outcomes_;
  std::vector<checkpoint_record> completed_;
  std::vector<std::string> aborted_;
};

}  // namespace dataflow
