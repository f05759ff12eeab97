// The job master: spawns and monitors the tasks of one job, starts them once every handle is
// known, forwards barrier triggers to sources, and turns the tasks' reports into the job's
// result: all done, the first failure, or cancelled.
#pragma once

#include <future>
#include <memory>
#include <vector>

#include "dataflow/actors/channel_protocol.hpp"
#include "dataflow/runtime/task.hpp"

namespace dataflow::actors {

/// Where the master delivers the outcome, once.
struct job_completion {
  std::promise<expected<job_result>> promise;
};

caf::actor spawn_job_master(caf::actor_system& sys, std::string job_name,
                            std::vector<std::shared_ptr<task_spec>> specs,
                            std::shared_ptr<job_completion> completion);

}  // namespace dataflow::actors
