#include "dataflow/api/environment.hpp"

namespace dataflow {

environment::environment(std::shared_ptr<executor> exec)
    : executor_(std::move(exec)), graph_(std::make_shared<job_graph>()) {}

expected<std::unique_ptr<job_handle>> environment::execute_async() {
  if (!executor_)
    return status{errc::invalid_configuration,
                  "this environment has no executor: use dataflow::local_environment"};
  if (auto s = options_.validate(); !s) return s;
  return executor_->submit(graph_, options_);
}

expected<job_result> environment::execute() {
  auto handle = execute_async();
  if (!handle) return handle.error();
  return (*handle)->wait();
}

}  // namespace dataflow
