#include "dataflow/actors/actor_system_setup.hpp"

#include <doctest/doctest.h>

using namespace dataflow;

TEST_CASE("configure sets threads and the scheduler policy that job_options choose") {
  caf::actor_system_config stealing, sharing;
  actors::configure(stealing, 3, false, scheduler_policy::work_stealing);
  actors::configure(sharing, 1, false, scheduler_policy::work_sharing);
  CHECK(caf::get_or(stealing, "scheduler.max-threads", std::size_t{0}) == 3);
  CHECK(caf::get_or(stealing, "scheduler.policy", caf::atom("none")) == caf::atom("stealing"));
  CHECK(caf::get_or(sharing, "scheduler.policy", caf::atom("none")) == caf::atom("sharing"));
  // Idle threads sleep by default: polling cost 3x the CPU time at 10,000 events/s.
  caf::actor_system_config by_default;
  actors::configure(by_default);
  CHECK(caf::get_or(by_default, "scheduler.policy", caf::atom("none")) == caf::atom("sharing"));
  CHECK(job_options{}.scheduler == scheduler_policy::work_sharing);
  // Actors take turns: a task serving a long burst yields after a few messages.
  CHECK(caf::get_or(by_default, "scheduler.max-throughput", std::size_t{0}) ==
        actors::max_messages_per_run);
}
