// The job master: spawns and monitors the tasks of one job, starts them once every handle is
// known, forwards barrier triggers to sources, coordinates checkpoints and savepoints (also
// stop-with-savepoint), answers status requests, and turns the tasks' reports into the job's
// result: all done, the first failure, cancelled, or stopped after a savepoint.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/actors/channel_protocol.hpp"
#include "dataflow/checkpoint/checkpoint_coordinator.hpp"
#include "dataflow/runtime/task.hpp"

namespace dataflow::actors {

/// Where the master delivers the outcome, once.
struct job_completion {
  std::promise<expected<job_result>> promise;
};

/// The master takes checkpoints (when the coordinator has an interval) and savepoints on
/// request (savepoint_atom): it triggers them, collects the state writer's acknowledgements
/// and tells tasks when one is complete.
caf::actor spawn_job_master(caf::actor_system& sys, std::string job_name,
                            std::vector<std::shared_ptr<task_spec>> specs,
                            std::shared_ptr<job_completion> completion,
                            checkpoint_coordinator coordinator, std::string restored_from = {});

}  // namespace dataflow::actors
