// Turns a job graph and its execution plan into task specs: one per task, with freshly made
// operators, source readers, routers and contexts. Thread-safety: call from one thread.
#pragma once

#include <memory>
#include <vector>

#include "dataflow/api/job_options.hpp"
#include "dataflow/graph/execution_plan.hpp"
#include "dataflow/runtime/task.hpp"

namespace dataflow {

/// Fails with operator_failed when a factory throws (a bad operator argument, say).
[[nodiscard]] expected<std::vector<std::shared_ptr<task_spec>>> make_task_specs(
    const job_graph& graph, const execution_plan& plan, const job_options& opts,
    const processing_clock* clock);

}  // namespace dataflow
