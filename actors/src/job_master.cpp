#include "job_master.hpp"

#include <chrono>
#include <map>

#include "state_writer.hpp"
#include "task_actor.hpp"

namespace dataflow::actors {

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
};

namespace {

using master_ptr = caf::stateful_actor<job_master_state>*;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void complete(master_ptr self, expected<job_result> outcome) {
  auto& st = self->state;
  if (st.completed) return;
  st.completed = true;
  if (st.coordinator && outcome) {
    outcome->checkpoints = st.coordinator->completed();
    outcome->checkpoints_aborted = st.coordinator->aborted();
  }
  if (st.writer) self->send_exit(st.writer, caf::exit_reason::user_shutdown);
  if (outcome) outcome->duration = std::chrono::steady_clock::now() - st.started;
  st.completion->promise.set_value(std::move(outcome));
  self->quit();
}

void fail(master_ptr self, const std::string& reason, errc code = errc::operator_failed) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.tasks.size(); ++i)
    if (!st.reported[i]) self->send_exit(st.tasks[i], caf::exit_reason::user_shutdown);
  complete(self, status{code, reason});
}

/// Starts a checkpoint when one is due, and comes back when the next one is.
void checkpoint_tick(master_ptr self) {
  auto& st = self->state;
  if (st.completed || !st.coordinator) return;
  auto& c = *st.coordinator;
  const auto now = wall_ms();
  if (c.due(now)) {
    auto p = c.trigger(now);
    if (!p) {
      fail(self, "checkpoint: " + p.error().to_string(), p.error().code());
      return;
    }
    // The writer hears of the directory before any task can report to it.
    self->send(st.writer, checkpoint_begin{(*p)->id(), (*p)->directory()});
    for (std::size_t i = 0; i < st.tasks.size(); ++i)
      if (st.is_source[i] && !st.reported[i]) self->send(st.tasks[i], trigger_barrier{(*p)->id()});
  }
  self->delayed_send(self, std::chrono::milliseconds(std::max<std::int64_t>(1, c.next_due() - now)),
                     checkpoint_tick_atom::value);
}

caf::behavior job_master(master_ptr self, std::string job_name,
                         std::vector<std::shared_ptr<task_spec>> specs,
                         std::shared_ptr<job_completion> completion,
                         std::optional<checkpoint_coordinator> coordinator,
                         std::string restored_from) {
  auto& st = self->state;
  st.completion = std::move(completion);
  st.result.job = std::move(job_name);
  st.result.restored_from = std::move(restored_from);
  st.started = std::chrono::steady_clock::now();
  st.coordinator = std::move(coordinator);
  auto peers = std::make_shared<std::vector<task_actor>>();
  caf::actor me = caf::actor_cast<caf::actor>(self);
  if (st.coordinator) st.writer = spawn_state_writer(self, me);
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
  if (st.coordinator) {
    st.coordinator->start(wall_ms());
    checkpoint_tick(self);
  }

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
        if (st.coordinator) st.coordinator->on_task_finished();
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
        st.result.cancelled = true;
        for (std::size_t i = 0; i < st.tasks.size(); ++i)
          if (!st.reported[i]) self->send(st.tasks[i], cancel_atom::value);
      },
      [self](checkpoint_tick_atom) { checkpoint_tick(self); },
      [self](snapshot_stored& m) {
        auto& st = self->state;
        if (!st.coordinator || st.completed) return;
        auto& c = *st.coordinator;
        if (!c.pending() || c.pending()->id() != m.checkpoint) return;  // given up already
        if (!m.error.empty()) {
          c.abort_pending(m.error);
          return;
        }
        for (auto& part : m.parts) {
          auto done = c.acknowledge(m.checkpoint, part.uid, std::move(part.written), wall_ms());
          if (!done) {
            c.abort_pending(done.error().to_string());
            return;
          }
          if (*done)
            for (std::size_t i = 0; i < st.tasks.size(); ++i)
              if (!st.reported[i]) self->send(st.tasks[i], checkpoint_complete{m.checkpoint});
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
                            std::optional<checkpoint_coordinator> coordinator,
                            std::string restored_from) {
  return sys.spawn(job_master, std::move(job_name), std::move(specs), std::move(completion),
                   std::move(coordinator), std::move(restored_from));
}

}  // namespace dataflow::actors
