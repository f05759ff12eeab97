// The actor that hosts one task. It only translates: channel messages become calls on the
// task, and what the task asks of its host (send, return credit, wake me up) becomes
// messages. All decisions live in dataflow::task.
#pragma once

#include <memory>
#include <vector>

#include "dataflow/actors/channel_protocol.hpp"
#include "dataflow/runtime/task.hpp"

namespace dataflow::actors {

/// The peers a task sends to, indexed by task number; complete before the start message.
using task_directory = std::shared_ptr<const std::vector<task_actor>>;

/// Spawns the actor for `spec`; it reports task_done / task_failed to `master` and its
/// checkpoint snapshots to `writer` (the node's state writer; none without checkpoints).
task_actor spawn_task(caf::local_actor* parent, std::shared_ptr<task_spec> spec,
                      task_directory peers, caf::actor master, caf::actor writer);

}  // namespace dataflow::actors
