#include "job_master.hpp"

#include <chrono>
#include <map>

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
};

namespace {

using master_ptr = caf::stateful_actor<job_master_state>*;

void complete(master_ptr self, expected<job_result> outcome) {
  auto& st = self->state;
  if (st.completed) return;
  st.completed = true;
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

caf::behavior job_master(master_ptr self, std::string job_name,
                         std::vector<std::shared_ptr<task_spec>> specs,
                         std::shared_ptr<job_completion> completion) {
  auto& st = self->state;
  st.completion = std::move(completion);
  st.result.job = std::move(job_name);
  st.started = std::chrono::steady_clock::now();
  auto peers = std::make_shared<std::vector<task_actor>>();
  caf::actor me = caf::actor_cast<caf::actor>(self);
  for (auto& spec : specs) {
    st.is_source.push_back(spec->source != nullptr);
    auto handle = spawn_task(self, spec, peers, me);
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
                            std::shared_ptr<job_completion> completion) {
  return sys.spawn(job_master, std::move(job_name), std::move(specs), std::move(completion));
}

}  // namespace dataflow::actors
