// Runs jobs embedded: one CAF actor system per job in this process, a job master actor and one
// actor per task. Thread-safety: submit() from any thread; each job_handle as executor.hpp
// says (savepoints, status and cancel also from other threads).
#pragma once

#include "dataflow/api/executor.hpp"

namespace dataflow::actors {

class local_executor final : public executor {
 public:
  expected<std::unique_ptr<job_handle>> submit(std::shared_ptr<const job_graph> graph,
                                               const job_options& opts) override;
};

}  // namespace dataflow::actors
