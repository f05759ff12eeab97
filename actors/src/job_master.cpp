#include "job_master.hpp"

#include <chrono>
#include <map>

#include "state_writer.hpp"
#include "status_error.hpp"
#include "task_actor.hpp"

namespace dataflow::actors {

/// A savepoint request waiting for its outcome.
struct savepoint_waiter {
  caf::response_promise promise;
  bool stop = false;
};

struct job_master_state {
  std::vector<task_actor> tasks;
  std::vector<bool> reported;
  std::vector<bool> is_source;
  std::map<caf::actor_addr, std::size_t> index_of;
  std::size_t remaining = 0;
  job_result result;
  std::shared_ptr<job_completion> completion;
  bool completed = false;
  std::chrono::steady_clock::time_point started;
  std::optional<checkpoint_coordinator> coordinator;
  caf::actor writer;
  bool tick_scheduled = false;
  // Savepoint requests by tag, and the stop in progress: once its savepoint is complete the
  // tasks are cancelled, and the requester hears when the job has ended.
  std::map<std::int64_t, savepoint_waiter> waiters;
  std::int64_t next_request = 1;
  bool stopping = false;
  std::optional<caf::response_promise> stop_promise;
};

namespace {

using master_ptr = caf::stateful_actor<job_master_state>*;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Hands the directories of given-up checkpoints to the writer, which deletes them in order
/// with its writes.
void forward_abandoned(master_ptr self) {
  auto& st = self->state;
  if (!st.coordinator || !st.writer) return;
  for (auto& [id, dir] : st.coordinator->take_abandoned())
    self->send(st.writer, checkpoint_abandoned{id, std::move(dir)});
}

void complete(master_ptr self, expected<job_result> outcome) {
  auto& st = self->state;
  if (st.completed) return;
  st.completed = true;
  // A checkpoint in flight when the job ends is given up, and its directory goes before the
  // writer stops (the exit comes after that message from the same sender).
  if (st.coordinator) {
    st.coordinator->stop("the job ended before the checkpoint completed");
    forward_abandoned(self);
  }
  if (st.coordinator && outcome) {
    outcome->checkpoints = st.coordinator->completed();
    outcome->checkpoints_aborted = st.coordinator->aborted();
  }
  if (st.writer) self->send_exit(st.writer, caf::exit_reason::user_shutdown);
  if (outcome) outcome->duration = std::chrono::steady_clock::now() - st.started;
  // Whoever still waits for a savepoint hears why it will not come; a stop hears its path,
  // after the outcome is out, so that a job has ended when stop_with_savepoint returns.
  const status ended =
      outcome ? status{errc::not_running, "the job ended before the savepoint completed"}
              : status{outcome.error().code(), "the job failed: " + outcome.error().message()};
  const std::string stop_path = outcome ? outcome->stop_savepoint : std::string();
  st.completion->promise.set_value(std::move(outcome));
  for (auto& [tag, w] : st.waiters) w.promise.deliver(to_caf_error(ended));
  st.waiters.clear();
  if (st.stop_promise) {
    if (!stop_path.empty())
      st.stop_promise->deliver(stop_path);
    else
      st.stop_promise->deliver(to_caf_error(ended));
  }
  self->quit();
}

void fail(master_ptr self, const std::string& reason, errc code = errc::operator_failed) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.tasks.size(); ++i)
    if (!st.reported[i]) self->send_exit(st.tasks[i], caf::exit_reason::user_shutdown);
  complete(self, status{code, reason});
}

void cancel_tasks(master_ptr self) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.tasks.size(); ++i)
    if (!st.reported[i]) self->send(st.tasks[i], cancel_atom::value);
}

/// Answers the savepoint requests the coordinator has decided. A completed stop-with-savepoint
/// stops the job: its checkpoint_complete went to the tasks before (same sender, so it arrives
/// first and sinks commit), then every task is cancelled (no final watermark); the requester
/// hears once the job has ended. Directories of checkpoints given up go to the writer.
void answer_savepoints(master_ptr self) {
  auto& st = self->state;
  for (auto& o : st.coordinator->take_outcomes()) {
    auto it = st.waiters.find(o.request);
    if (it == st.waiters.end()) continue;
    auto w = std::move(it->second);
    st.waiters.erase(it);
    if (!o.result) {
      w.promise.deliver(to_caf_error(o.result.error()));
    } else if (!w.stop) {
      w.promise.deliver(o.result->directory);
    } else {
      st.stopping = true;
      st.result.stop_savepoint = o.result->directory;
      st.stop_promise = std::move(w.promise);
      st.coordinator->stop("the job is stopping after savepoint " + std::to_string(o.result->id));
      cancel_tasks(self);
    }
  }
  forward_abandoned(self);
}

/// Starts what the coordinator says is due: a requested savepoint or a periodic checkpoint.
void start_due(master_ptr self) {
  auto& st = self->state;
  if (st.completed) return;
  auto& c = *st.coordinator;
  const auto now = wall_ms();
  if (!c.due(now)) return;
  auto p = c.trigger(now);
  answer_savepoints(self);  // savepoints that could not begin
  if (!p) {
    fail(self, "checkpoint: " + p.error().to_string(), p.error().code());
    return;
  }
  if (!*p) return;
  // The writer hears of the directory before any task can report to it.
  self->send(st.writer, checkpoint_begin{(*p)->id(), (*p)->directory()});
  if (c.timeout() > 0)
    self->delayed_send(self, std::chrono::milliseconds(c.timeout()), checkpoint_expire_atom::value,
                       (*p)->id());
  for (std::size_t i = 0; i < st.tasks.size(); ++i)
    if (st.is_source[i] && !st.reported[i]) self->send(st.tasks[i], trigger_barrier{(*p)->id()});
}

/// Comes back when the next periodic checkpoint is due. While one is in flight past that
/// time, its end starts the next (after_checkpoint), which reschedules.
void schedule_tick(master_ptr self) {
  auto& st = self->state;
  auto& c = *st.coordinator;
  if (st.completed || st.tick_scheduled || !c.periodic() || c.stopped()) return;
  const auto wait = c.next_due() - wall_ms();
  if (wait <= 0 && c.pending()) return;
  st.tick_scheduled = true;
  self->delayed_send(self, std::chrono::milliseconds(std::max<std::int64_t>(1, wait)),
                     checkpoint_tick_atom::value);
}

/// After a checkpoint or savepoint completed or was given up: answer, start what waits.
void after_checkpoint(master_ptr self) {
  answer_savepoints(self);
  start_due(self);
  schedule_tick(self);
}

job_status status_of(master_ptr self) {
  auto& st = self->state;
  auto& c = *st.coordinator;
  job_status s;
  s.job = st.result.job;
  s.state =
      st.stopping || st.result.cancelled || c.stopped() ? job_state::ending : job_state::running;
  for (auto& r : c.completed()) {
    if (r.savepoint) {
      ++s.savepoints_completed;
      s.latest_savepoint = r.directory;
    } else {
      ++s.checkpoints_completed;
      s.latest_checkpoint = r.directory;
    }
  }
  s.checkpoints_aborted = static_cast<std::int64_t>(c.aborted().size());
  s.pending_checkpoint = c.pending() ? c.pending()->id() : 0;
  s.checkpoint_directory = c.directory();
  s.restored_from = st.result.restored_from;
  s.tasks = static_cast<std::int64_t>(st.tasks.size());
  s.tasks_ended = static_cast<std::int64_t>(st.tasks.size() - st.remaining);
  return s;
}

caf::behavior job_master(master_ptr self, std::string job_name,
                         std::vector<std::shared_ptr<task_spec>> specs,
                         std::shared_ptr<job_completion> completion,
                         checkpoint_coordinator coordinator, std::string restored_from) {
  auto& st = self->state;
  st.completion = std::move(completion);
  st.result.job = std::move(job_name);
  st.result.restored_from = std::move(restored_from);
  st.started = std::chrono::steady_clock::now();
  st.coordinator.emplace(std::move(coordinator));
  st.coordinator->leave_aborted_directories_to_host();
  auto peers = std::make_shared<std::vector<task_actor>>();
  caf::actor me = caf::actor_cast<caf::actor>(self);
  st.writer = spawn_state_writer(self, me);
  for (auto& spec : specs) {
    st.is_source.push_back(spec->source != nullptr);
    auto handle = spawn_task(self, spec, peers, me, st.writer);
    self->monitor(handle);
    st.index_of.emplace(handle.address(), peers->size());
    peers->push_back(handle);
  }
  st.tasks = *peers;
  st.reported.assign(st.tasks.size(), false);
  st.result.tasks.resize(st.tasks.size());
  st.remaining = st.tasks.size();
  // Every handle is in `peers` now; tasks may send once they start.
  for (auto& t : st.tasks) self->send(t, start_atom::value);
  if (st.tasks.empty()) complete(self, st.result);
  st.coordinator->start(wall_ms());
  schedule_tick(self);

  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    auto it = st.index_of.find(dm.source);
    if (it == st.index_of.end() || st.reported[it->second] || st.completed) return;
    fail(self,
         "task " + std::to_string(it->second) +
             " stopped unexpectedly: " + self->system().render(dm.reason),
         errc::runtime_error);
  });

  return {
      [self](task_done& m) {
        auto& st = self->state;
        auto i = static_cast<std::size_t>(m.task);
        if (i >= st.tasks.size() || st.reported[i]) return;
        st.reported[i] = true;
        st.result.tasks[i] = std::move(m.metrics);
        st.coordinator->on_task_finished();
        answer_savepoints(self);
        if (--st.remaining == 0) complete(self, st.result);
      },
      [self](task_failed& m) {
        auto& st = self->state;
        auto i = static_cast<std::size_t>(m.task);
        if (i < st.reported.size()) st.reported[i] = true;
        fail(self, m.reason);
      },
      [self](cancel_atom) {
        auto& st = self->state;
        if (!st.stopping) st.result.cancelled = true;
        st.coordinator->stop("the job was cancelled");
        answer_savepoints(self);
        cancel_tasks(self);
      },
      [self](checkpoint_expire_atom, std::int64_t id) {
        auto& st = self->state;
        if (st.completed) return;
        auto& c = *st.coordinator;
        if (c.expire(id, wall_ms()))
          after_checkpoint(self);
        else if (c.pending() && c.pending()->id() == id)  // the timer's clock ran ahead
          self->delayed_send(self, std::chrono::milliseconds(10), checkpoint_expire_atom::value,
                             id);
      },
      [self](checkpoint_tick_atom) {
        self->state.tick_scheduled = false;
        start_due(self);
        schedule_tick(self);
      },
      [self](savepoint_atom, std::string& target, bool stop) -> caf::result<std::string> {
        auto& st = self->state;
        if (st.stopping) return to_caf_error(status{errc::not_running, "the job is stopping"});
        auto promise = self->make_response_promise<std::string>();
        const auto tag = st.next_request++;
        st.waiters.emplace(tag, savepoint_waiter{promise, stop});
        st.coordinator->request_savepoint(tag, std::move(target));
        answer_savepoints(self);  // refused at once
        start_due(self);
        return promise;
      },
      [self](job_status_atom) { return status_of(self); },
      [self](snapshot_stored& m) {
        auto& st = self->state;
        if (st.completed) return;
        auto& c = *st.coordinator;
        if (!c.pending() || c.pending()->id() != m.checkpoint) return;  // given up already
        if (!m.error.empty()) {
          c.abort_pending(m.error);
          after_checkpoint(self);
          return;
        }
        for (auto& part : m.parts) {
          auto done = c.acknowledge(m.checkpoint, part.uid, std::move(part.written), wall_ms());
          if (!done) {  // aborted by the coordinator
            after_checkpoint(self);
            return;
          }
          if (*done) {
            for (std::size_t i = 0; i < st.tasks.size(); ++i)
              if (!st.reported[i]) self->send(st.tasks[i], checkpoint_complete{m.checkpoint});
            after_checkpoint(self);
            return;
          }
        }
      },
      [self](const trigger_barrier& m) {
        auto& st = self->state;
        for (std::size_t i = 0; i < st.tasks.size(); ++i)
          if (st.is_source[i] && !st.reported[i]) self->send(st.tasks[i], m);
      },
  };
}

}  // namespace

caf::actor spawn_job_master(caf::actor_system& sys, std::string job_name,
                            std::vector<std::shared_ptr<task_spec>> specs,
                            std::shared_ptr<job_completion> completion,
                            checkpoint_coordinator coordinator, std::string restored_from) {
  return sys.spawn(job_master, std::move(job_name), std::move(specs), std::move(completion),
                   std::move(coordinator), std::move(restored_from));
}

}  // namespace dataflow::actors
