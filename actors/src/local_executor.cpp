#include "dataflow/actors/local_executor.hpp"

#include <chrono>

#include "dataflow/actors/actor_system_setup.hpp"
#include "dataflow/checkpoint/loaded_checkpoint.hpp"
#include "dataflow/checkpoint/restore_compatibility.hpp"
#include "dataflow/runtime/task_factory.hpp"
#include "job_master.hpp"

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

class local_job_handle final : public job_handle {
 public:
  local_job_handle(const job_options& opts, std::vector<std::shared_ptr<task_spec>> specs,
                   std::optional<checkpoint_coordinator> coordinator, std::string restored_from) {
    configure(cfg_, opts.threads, false, opts.scheduler);
    auto name = opts.name;
    sys_ = std::make_unique<caf::actor_system>(cfg_);
    completion_ = std::make_shared<job_completion>();
    future_ = completion_->promise.get_future();
    master_ = spawn_job_master(*sys_, std::move(name), std::move(specs), completion_,
                               std::move(coordinator), std::move(restored_from));
  }

  ~local_job_handle() override {
    if (!outcome_ && future_.valid() &&
        future_.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
      cancel();
    if (future_.valid()) future_.wait();
    // The actor system's destructor waits for every actor to exit.
  }

  void cancel() override { caf::anon_send(master_, cancel_atom::value); }

  void trigger_barrier(std::int64_t id) override {
    caf::anon_send(master_, actors::trigger_barrier{id});
  }

  expected<job_result> wait() override {
    if (!outcome_) outcome_.emplace(future_.get());
    return *outcome_;
  }

  bool wait_for(std::chrono::milliseconds timeout) override {
    if (outcome_) return true;
    return future_.wait_for(timeout) == std::future_status::ready;
  }

 private:
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::shared_ptr<job_completion> completion_;
  std::future<expected<job_result>> future_;
  std::optional<expected<job_result>> outcome_;
  caf::actor master_;
};

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
  std::optional<checkpoint_coordinator> coordinator;
  if (opts.checkpoints.interval.count() > 0) {
    checkpoint_storage_options so;
    so.retained = opts.checkpoints.retained;
    auto storage = checkpoint_storage::open(opts.checkpoints.directory, so);
    if (!storage) return storage.error();
    coordinator.emplace(std::move(*storage), describe_job(*graph, opts),
                        opts.checkpoints.interval.count());
  }
  return std::unique_ptr<job_handle>(std::make_unique<local_job_handle>(
      opts, std::move(*specs), std::move(coordinator), std::move(restored_from)));
}

}  // namespace dataflow::actors
