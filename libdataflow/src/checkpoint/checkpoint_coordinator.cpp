#include "dataflow/checkpoint/checkpoint_coordinator.hpp"

#include <algorithm>
#include <filesystem>

namespace dataflow {

namespace {

checkpoint_breakdown breakdown_of(const subtask_state& s, std::int64_t created_ms) {
  return {s.start_delay_ms(created_ms), s.alignment_ms, s.sync_ms, s.async_ms};
}

/// "chk-4" or "savepoint-4", as in aborted().
std::string name_of(const pending_checkpoint& p) {
  return (p.kind() == checkpoint_kind::savepoint ? "savepoint-" : "chk-") + std::to_string(p.id());
}

}  // namespace

checkpoint_coordinator::checkpoint_coordinator(checkpoint_storage storage, job_description job,
                                               std::int64_t interval_ms)
    : storage_(std::move(storage)), job_(std::move(job)), interval_ms_(interval_ms) {}

checkpoint_coordinator::checkpoint_coordinator(job_description job) : job_(std::move(job)) {}

bool checkpoint_coordinator::due(std::int64_t now_ms) const {
  if (stopped_ || pending_) return false;
  return !requests_.empty() || (periodic() && now_ms >= next_due_);
}

expected<pending_checkpoint> checkpoint_coordinator::begin_savepoint(const request& r,
                                                                     std::int64_t now_ms) {
  if (storage_) {
    // Ids continue after the checkpoints and savepoints already in the directory.
    auto next = storage_->next_checkpoint_id();
    if (!next) return next.error();
    next_id_ = std::max(next_id_, *next);
    pending_storage_ = storage_;
    return storage_->begin_savepoint(next_id_, job_, now_ms, r.target);
  }
  // No checkpoint directory: the target's parent serves as one (complete() applies no
  // retention to a savepoint, and the id only continues this job's sequence).
  namespace fs = std::filesystem;
  auto target = fs::absolute(fs::path(r.target));
  if (!target.has_filename()) target = target.parent_path();
  auto there = checkpoint_storage::open(target.parent_path().string());
  if (!there) return there.error();
  pending_storage_ = *there;
  return there->begin_savepoint(next_id_, job_, now_ms, target.string());
}

expected<const pending_checkpoint*> checkpoint_coordinator::trigger(std::int64_t now_ms) {
  if (stopped_) return status{errc::not_running, "a task finished: no more checkpoints"};
  if (pending_)
    return status{errc::invalid_configuration,
                  "checkpoint " + std::to_string(pending_->id()) + " is still pending"};
  while (!requests_.empty()) {
    auto r = std::move(requests_.front());
    requests_.pop_front();
    auto p = begin_savepoint(r, now_ms);
    if (!p) {
      fail_request(r.tag, status{p.error().code(), "savepoint: " + p.error().message()});
      continue;
    }
    ++next_id_;
    pending_.emplace(std::move(*p));
    pending_request_ = r.tag;
    started_ms_ = now_ms;
    return &*pending_;
  }
  if (!storage_ || !periodic() || now_ms < next_due_)
    return static_cast<const pending_checkpoint*>(nullptr);
  // Ids continue after the checkpoints already in the directory (a restored job's too).
  auto next = storage_->next_checkpoint_id();
  if (!next) return next.error();
  next_id_ = std::max(next_id_, *next);
  auto p = storage_->begin_checkpoint(next_id_, job_, now_ms);
  if (!p) return p.error();
  pending_storage_ = storage_;
  ++next_id_;
  pending_.emplace(std::move(*p));
  pending_request_.reset();
  started_ms_ = now_ms;
  next_due_ = now_ms + interval_ms_;
  return &*pending_;
}

void checkpoint_coordinator::request_savepoint(std::int64_t request, std::string target) {
  if (stopped_) {
    fail_request(request,
                 status{errc::not_running, "the job is ending: no savepoint can start any more"});
    return;
  }
  if (!storage_ && target.empty()) {
    fail_request(request, status{errc::invalid_configuration,
                                 "no checkpoint directory is configured: give the savepoint a "
                                 "target directory"});
    return;
  }
  requests_.push_back({request, std::move(target)});
}

expected<std::optional<checkpoint_record>> checkpoint_coordinator::acknowledge(
    std::int64_t id, std::string_view uid, subtask_state written, std::int64_t now_ms) {
  if (!pending_ || pending_->id() != id) return std::optional<checkpoint_record>{};
  written.acknowledged_at_ms = now_ms;
  const int subtask = written.subtask;
  if (auto s = pending_->acknowledge(uid, std::move(written)); !s) {
    abort_pending(s.message());
    return s;
  }
  if (!pending_->all_acknowledged()) return std::optional<checkpoint_record>{};
  checkpoint_stats stats;
  stats.duration_ms = now_ms - started_ms_;
  // The metadata, then retention (for checkpoints only).
  auto done = pending_storage_->complete(*pending_, stats);
  if (!done) {
    abort_pending(done.error().message());
    return done.error();
  }
  checkpoint_record r;
  r.id = id;
  r.directory = done->checkpoint.directory;
  r.duration_ms = stats.duration_ms;
  r.size_bytes = done->checkpoint.metadata.stats.size_bytes;
  for (auto& op : done->checkpoint.metadata.operators)
    for (auto& s : op.subtasks) {
      const auto part = breakdown_of(s, started_ms_);
      r.max.start_delay_ms = std::max(r.max.start_delay_ms, part.start_delay_ms);
      r.max.alignment_ms = std::max(r.max.alignment_ms, part.alignment_ms);
      r.max.sync_ms = std::max(r.max.sync_ms, part.sync_ms);
      r.max.async_ms = std::max(r.max.async_ms, part.async_ms);
    }
  r.slowest = std::string(uid) + "#" + std::to_string(subtask + 1);
  r.savepoint = pending_->kind() == checkpoint_kind::savepoint;
  if (pending_request_) outcomes_.push_back({*pending_request_, r});
  pending_.reset();
  pending_request_.reset();
  completed_.push_back(r);
  return std::optional<checkpoint_record>{r};
}

bool checkpoint_coordinator::expire(std::int64_t id, std::int64_t now_ms) {
  if (!pending_ || pending_->id() != id || timeout_ms_ <= 0 || now_ms - started_ms_ < timeout_ms_)
    return false;
  abort_pending("expired after " + std::to_string(now_ms - started_ms_) + " ms (timeout " +
                std::to_string(timeout_ms_) + " ms)");
  return true;
}

void checkpoint_coordinator::abort_pending(const std::string& reason) {
  if (!pending_) return;
  aborted_.push_back(name_of(*pending_) + ": " + reason);
  if (pending_request_)
    fail_request(*pending_request_,
                 status{errc::runtime_error,
                        "savepoint " + std::to_string(pending_->id()) + " was aborted: " + reason});
  if (host_deletes_)
    abandoned_.emplace_back(pending_->id(), pending_->directory());
  else
    (void)pending_storage_->abort(*pending_);  // best effort: a leftover is incomplete anyway
  pending_.reset();
  pending_request_.reset();
}

std::vector<std::pair<std::int64_t, std::string>> checkpoint_coordinator::take_abandoned() {
  return std::exchange(abandoned_, {});
}

void checkpoint_coordinator::on_task_finished() {
  stop("a task finished before the checkpoint completed");
}

void checkpoint_coordinator::stop(const std::string& reason) {
  if (stopped_) return;
  stopped_ = true;
  abort_pending(reason);
  while (!requests_.empty()) {
    fail_request(requests_.front().tag,
                 status{errc::not_running, "savepoint not started: " + reason});
    requests_.pop_front();
  }
}

void checkpoint_coordinator::fail_request(std::int64_t tag, status why) {
  outcomes_.push_back({tag, std::move(why)});
}

std::vector<savepoint_outcome> checkpoint_coordinator::take_outcomes() {
  std::vector<savepoint_outcome> out;
  out.swap(outcomes_);
  return out;
}

}  // namespace dataflow
