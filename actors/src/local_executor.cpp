#include "dataflow/actors/local_executor.hpp"

#include <chrono>

#include "dataflow/actors/actor_system_setup.hpp"
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
  local_job_handle(const job_options& opts, std::vector<std::shared_ptr<task_spec>> specs) {
    configure(cfg_, opts.threads, false, opts.scheduler);
    auto name = opts.name;
    sys_ = std::make_unique<caf::actor_system>(cfg_);
    completion_ = std::make_shared<job_completion>();
    future_ = completion_->promise.get_future();
    master_ = spawn_job_master(*sys_, std::move(name), std::move(specs), completion_);
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

}  // namespace

expected<std::unique_ptr<job_handle>> local_executor::submit(std::shared_ptr<const job_graph> graph,
                                                             const job_options& opts) {
  if (auto s = opts.validate(); !s) return s;
  auto plan = execution_plan::build(
      *graph, plan_options{opts.parallelism, opts.max_parallelism, opts.chaining});
  if (!plan) return plan.error();
  auto specs = make_task_specs(*graph, *plan, opts, &the_clock);
  if (!specs) return specs.error();
  return std::unique_ptr<job_handle>(std::make_unique<local_job_handle>(opts, std::move(*specs)));
}

}  // namespace dataflow::actors
