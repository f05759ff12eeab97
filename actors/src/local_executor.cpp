#include "dataflow/actors/local_executor.hpp"

#include <chrono>

#include "dataflow/actors/actor_system_setup.hpp"
#include "dataflow/checkpoint/loaded_checkpoint.hpp"
#include "dataflow/checkpoint/restore_compatibility.hpp"
#include "dataflow/runtime/task_factory.hpp"
#include "dataflow/state/rocksdb_state_backend.hpp"
#include "job_master.hpp"
#include "status_error.hpp"

namespace dataflow::actors {
namespace {

class system_clock_ms final : public processing_clock {
 public:
  timestamp now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

const system_clock_ms the_clock;

/// What a job that has ended says about itself.
job_status status_after(const expected<job_result>& outcome, const std::string& name) {
  job_status s;
  s.job = name;
  if (!outcome) {
    s.state = job_state::failed;
    return s;
  }
  auto& r = *outcome;
  s.state = !r.stop_savepoint.empty() ? job_state::stopped
            : r.cancelled             ? job_state::cancelled
                                      : job_state::finished;
  for (auto& c : r.checkpoints) {
    (c.savepoint ? s.savepoints_completed : s.checkpoints_completed) += 1;
    (c.savepoint ? s.latest_savepoint : s.latest_checkpoint) = c.directory;
  }
  s.checkpoints_aborted = static_cast<std::int64_t>(r.checkpoints_aborted.size());
  s.restored_from = r.restored_from;
  s.tasks = s.tasks_ended = static_cast<std::int64_t>(r.tasks.size());
  return s;
}

class local_job_handle final : public job_handle {
 public:
  local_job_handle(const job_options& opts, std::vector<std::shared_ptr<task_spec>> specs,
                   checkpoint_coordinator coordinator, std::string restored_from)
      : name_(opts.name), checkpoint_dir_(coordinator.directory()) {
    configure(cfg_, opts.threads, false, opts.scheduler);
    sys_ = std::make_unique<caf::actor_system>(cfg_);
    completion_ = std::make_shared<job_completion>();
    future_ = completion_->promise.get_future().share();
    master_ = spawn_job_master(*sys_, name_, std::move(specs), completion_, std::move(coordinator),
                               std::move(restored_from));
  }

  ~local_job_handle() override {
    if (!ended()) cancel();
    future_.wait();
    // The actor system's destructor waits for every actor to exit.
  }

  void cancel() override { caf::anon_send(master_, cancel_atom::value); }

  void trigger_barrier(std::int64_t id) override {
    caf::anon_send(master_, actors::trigger_barrier{id});
  }

  expected<std::string> trigger_savepoint(const std::string& target_dir) override {
    return savepoint(target_dir, false);
  }

  expected<std::string> stop_with_savepoint(const std::string& target_dir) override {
    return savepoint(target_dir, true);
  }

  expected<job_status> current_status() override {
    if (!ended()) {
      std::optional<job_status> answer;
      caf::scoped_actor self{*sys_};
      self->request(master_, caf::infinite, job_status_atom::value)
          .receive([&](job_status& s) { answer = std::move(s); }, [](caf::error&) {});
      if (answer) return std::move(*answer);
    }
    // The master has quit: the job ended (or ends now).
    auto f = future_;
    auto s = status_after(f.get(), name_);
    s.checkpoint_directory = checkpoint_dir_;
    return s;
  }

  expected<job_result> wait() override {
    auto f = future_;  // a copy per caller: other threads may look at it too
    return f.get();
  }

  bool wait_for(std::chrono::milliseconds timeout) override {
    auto f = future_;
    return f.wait_for(timeout) == std::future_status::ready;
  }

 private:
  [[nodiscard]] bool ended() const {
    auto f = future_;
    return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }

  expected<std::string> savepoint(const std::string& target_dir, bool stop) {
    const status gone{errc::not_running, "the job has ended"};
    if (ended()) return gone;
    std::optional<expected<std::string>> answer;
    caf::scoped_actor self{*sys_};
    self->request(master_, caf::infinite, savepoint_atom::value, target_dir, stop)
        .receive([&](std::string& path) { answer.emplace(std::move(path)); },
                 [&](caf::error& e) { answer.emplace(to_status(e, gone)); });
    return std::move(*answer);
  }

  std::string name_;
  std::string checkpoint_dir_;
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::shared_ptr<job_completion> completion_;
  std::shared_future<expected<job_result>> future_;
  caf::actor master_;
};

/// A RocksDB backend must not hold state of this job's operators already: a database left by
/// an earlier run would add keys the job (or the checkpoint it restores) never had.
status check_fresh_backend(const job_graph& graph, const job_options& opts) {
  auto* db = dynamic_cast<rocksdb_state_backend*>(opts.backend.get());
  if (!db) return status::ok();
  for (auto& node : graph.nodes())
    if (auto families = db->column_families_of(node.uid); !families.empty())
      return {errc::invalid_configuration,
              "state backend '" + db->directory() + "' already holds state of operator '" +
                  node.uid + "' (" + families.front() +
                  "): give each run a fresh backend (make_state_backend makes one)"};
  return status::ok();
}

/// Loads `opts.restore_from`, checks it against the job, and gives every task its pieces.
/// A configuration error (missing, damaged or incompatible) stops the job before it starts.
expected<std::string> restore_into(const job_graph& graph, const job_options& opts,
                                   std::vector<std::shared_ptr<task_spec>>& specs) {
  auto loaded = load_checkpoint(opts.restore_from);
  if (!loaded) return loaded.error();
  compatibility_options co;
  co.allow_dropped_state = opts.allow_dropped_state;
  const auto job = describe_job(graph, opts);
  auto report = check_restore_compatibility(loaded->metadata(), job, co);
  if (!report.compatible())
    return status{errc::invalid_configuration,
                  "cannot restore from " + loaded->directory() + ":\n" + report.to_string()};
  for (auto& spec : specs) {
    if (spec->source) {
      const auto& info = spec->source_context.info;
      const auto* d = job.find(info.uid);
      auto r = loaded->restore_for(info.uid, info.subtask, info.parallelism, d && d->reads_splits);
      if (!r) return r.error();
      // One snapshot at the same parallelism; every old instance's when rescaled.
      spec->restore_source.assign(r->states.begin(), r->states.end());
      spec->restore_source_rescaled = r->rescaled_source;
    }
    for (auto& ctx : spec->contexts) {
      ctx.info.restoring = true;
      auto r = loaded->restore_for(ctx.info.uid, ctx.info.subtask, ctx.info.parallelism);
      if (!r) return r.error();
      spec->restore_operators.emplace_back(r->states.begin(), r->states.end());
    }
  }
  return loaded->directory();
}

}  // namespace

expected<std::unique_ptr<job_handle>> local_executor::submit(std::shared_ptr<const job_graph> graph,
                                                             const job_options& opts) {
  if (auto s = opts.validate(); !s) return s;
  if (auto s = check_fresh_backend(*graph, opts); !s) return s;
  auto plan = execution_plan::build(
      *graph, plan_options{opts.parallelism, opts.max_parallelism, opts.chaining});
  if (!plan) return plan.error();
  auto specs = make_task_specs(*graph, *plan, opts, &the_clock);
  if (!specs) return specs.error();
  std::string restored_from;
  if (!opts.restore_from.empty()) {
    auto r = restore_into(*graph, opts, *specs);
    if (!r) return r.error();
    restored_from = std::move(*r);
  }
  // Every job can take savepoints: into the checkpoint directory (which periodic checkpoints
  // need), or without one only into a target given with the request.
  std::optional<checkpoint_coordinator> coordinator;
  if (!opts.checkpoints.directory.empty()) {
    checkpoint_storage_options so;
    so.retained = opts.checkpoints.retained;
    auto storage = checkpoint_storage::open(opts.checkpoints.directory, so);
    if (!storage) return storage.error();
    coordinator.emplace(std::move(*storage), describe_job(*graph, opts),
                        opts.checkpoints.interval.count());
  } else {
    coordinator.emplace(describe_job(*graph, opts));
  }
  coordinator->set_timeout(opts.checkpoints.timeout.count());
  return std::unique_ptr<job_handle>(std::make_unique<local_job_handle>(
      opts, std::move(*specs), std::move(*coordinator), std::move(restored_from)));
}

}  // namespace dataflow::actors
