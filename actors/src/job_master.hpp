// The job master: spawns and monitors the tasks of one job, starts them once every handle is
// known, forwards barrier triggers to sources, coordinates checkpoints, and turns the tasks'
// reports into the job's result: all done, the first failure, or cancelled.
#pragma once

#include <future>
#include <memory>
#include <vector>

#include <optional>
#include <string>

#include "dataflow/actors/channel_protocol.hpp"
#include "dataflow/checkpoint/checkpoint_coordinator.hpp"
#include "dataflow/runtime/task.hpp"

namespace dataflow::actors {

/// Where the master delivers the outcome, once.
struct job_completion {
  std::promise<expected<job_result>> promise;
};

/// With a coordinator, the master also takes checkpoints: it triggers them on the interval,
/// collects the state writer's acknowledgements and tells tasks when one is complete.
caf::actor spawn_job_master(caf::actor_system& sys, std::string job_name,
                            std::vector<std::shared_ptr<task_spec>> specs,
                            std::shared_ptr<job_completion> completion,
                            std::optional<checkpoint_coordinator> coordinator = std::nullopt,
                            std::string restored_from = {});

}  // namespace dataflow::actors
