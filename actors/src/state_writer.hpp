// The state writer of a node: writes the snapshot files tasks hand it, on its own thread, so
// that file writes and fsync stay off the operators' threads, and acknowledges what it wrote
// to the master (the checkpoint coordinator). Reports for a checkpoint whose directory it has
// not heard of yet wait for it: across nodes, the master's message may come later.
#pragma once

#include <caf/all.hpp>

namespace dataflow::actors {

/// Spawns the writer (detached: it blocks in fsync); it answers to `master`.
caf::actor spawn_state_writer(caf::local_actor* parent, caf::actor master);

}  // namespace dataflow::actors
