// A task of one operator on int records, for driving tasks by hand: fed by channel 1 from task
// 10 (and channel 2 from task 11 when it has two inputs), sending on channel 9 to task 5, one
// record per batch so that every record leaves at once.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "dataflow/runtime/task.hpp"

namespace dataflow::testing {

inline task_spec one_operator_task(std::unique_ptr<operator_base> op, int inputs = 1,
                                   int credits = channel_options{}.credits,
                                   const processing_clock* clock = nullptr) {
  task_spec spec;
  spec.name = "under test";
  std::vector<std::unique_ptr<operator_base>> ops;
  ops.push_back(std::move(op));
  spec.chain = std::make_unique<operator_chain>(
      std::move(ops), std::vector<const record_type*>{&record_type_of<int>()});
  operator_context ctx;
  ctx.clock = clock;
  spec.contexts = {ctx};
  spec.operator_names = {"op"};
  spec.inputs = {{1, 0, 10}};
  if (inputs == 2) spec.inputs.push_back({2, 0, 11});
  output_gate::edge_spec e;
  e.route = std::make_unique<forward_router>();
  e.type = &record_type_of<int>();
  e.channels = {{9, 5}};
  spec.outputs.push_back(std::move(e));
  spec.channels.batch_size = 1;
  spec.channels.credits = credits;
  return spec;
}

inline batch_ptr ints(std::vector<record<int>> rs) {
  return std::make_shared<batch<int>>(std::move(rs));
}

}  // namespace dataflow::testing
