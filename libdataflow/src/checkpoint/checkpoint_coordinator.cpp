#include "dataflow/checkpoint/checkpoint_coordinator.hpp"

#include <algorithm>

namespace dataflow {

checkpoint_coordinator::checkpoint_coordinator(checkpoint_storage storage, job_description job,
                                               std::int64_t interval_ms)
    : storage_(std::move(storage)), job_(std::move(job)), interval_ms_(interval_ms) {}

bool checkpoint_coordinator::due(std::int64_t now_ms) const {
  return !stopped_ && !pending_ && interval_ms_ > 0 && now_ms >= next_due_;
}

expected<const pending_checkpoint*> checkpoint_coordinator::trigger(std::int64_t now_ms) {
  if (stopped_) return status{errc::invalid_configuration, "a task finished: no more checkpoints"};
  if (pending_)
    return status{errc::invalid_configuration,
                  "checkpoint " + std::to_string(pending_->id()) + " is still pending"};
  // Ids continue after the checkpoints already in the directory (a restored job's too).
  auto next = storage_.next_checkpoint_id();
  if (!next) return next.error();
  next_id_ = std::max(next_id_, *next);
  auto p = storage_.begin_checkpoint(next_id_, job_, now_ms);
  if (!p) return p.error();
  ++next_id_;
  pending_.emplace(std::move(*p));
  started_ms_ = now_ms;
  max_alignment_ms_ = 0;
  next_due_ = now_ms + interval_ms_;
  return &*pending_;
}

expected<std::optional<checkpoint_record>> checkpoint_coordinator::acknowledge(
    std::int64_t id, std::string_view uid, subtask_state written, std::int64_t now_ms) {
  if (!pending_ || pending_->id() != id) return std::optional<checkpoint_record>{};
  max_alignment_ms_ = std::max(max_alignment_ms_, written.alignment_ms);
  if (auto s = pending_->acknowledge(uid, std::move(written)); !s) return s;
  if (!pending_->all_acknowledged()) return std::optional<checkpoint_record>{};
  checkpoint_stats stats;
  stats.duration_ms = now_ms - started_ms_;
  for (auto& op : pending_->metadata().operators)
    for (auto& st : op.subtasks) stats.size_bytes += st.size;
  auto done = storage_.complete(*pending_, stats);
  pending_.reset();
  if (!done) return done.error();
  checkpoint_record r{id, done->checkpoint.directory, stats.duration_ms, stats.size_bytes,
                      max_alignment_ms_};
  completed_.push_back(r);
  return std::optional<checkpoint_record>{r};
}

void checkpoint_coordinator::abort_pending(const std::string& reason) {
  if (!pending_) return;
  aborted_.push_back("chk-" + std::to_string(pending_->id()) + ": " + reason);
  (void)storage_.abort(*pending_);  // best effort: a leftover directory is incomplete anyway
  pending_.reset();
}

void checkpoint_coordinator::on_task_finished() {
  stopped_ = true;
  abort_pending("a task finished before the checkpoint completed");
}

}  // namespace dataflow
