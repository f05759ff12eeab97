// Builds actor system configurations that know libdataflow's messages. Every process that
// runs tasks or talks to them (embedded, job manager, worker, tests) starts from here.
#pragma once

#include <caf/actor_system_config.hpp>

#include <cstddef>

#include "dataflow/api/job_options.hpp"

namespace dataflow::actors {

/// Messages an actor handles before it yields its scheduler thread to the next one.
inline constexpr std::size_t max_messages_per_run = 4;

/// Registers the channel protocol's types and loads the middleman (io) module when `network`.
/// `threads` = 0 keeps one scheduler thread per core (CAF's default would be 4 busy-polling
/// threads, too many on small machines).
void configure(caf::actor_system_config& cfg, int threads = 0, bool network = false,
               scheduler_policy policy = scheduler_policy::work_sharing);

}  // namespace dataflow::actors
