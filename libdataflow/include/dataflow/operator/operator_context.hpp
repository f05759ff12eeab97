// What an operator instance learns when it opens: who it is, where its state lives and what
// time it is in processing time. Operators keep no clock of their own: time is passed in, so
// tests advance it by hand. Thread-safety: used by one operator instance.
#pragma once

#include <string>

#include "dataflow/time/timestamp.hpp"

namespace dataflow {

class state_backend;

/// Identity of one operator instance.
struct operator_info {
  std::string name;
  std::string uid;
  int subtask = 0;
  int parallelism = 1;
  int max_parallelism = 128;
  /// The job takes checkpoints or savepoints (job_options.checkpoints has a directory, with or
  /// without an interval): two-phase-commit sinks then keep their output pending until a
  /// checkpoint or savepoint completes.
  bool checkpointing = false;
  /// The instance restores from a checkpoint: restore() comes right after open(), so open()
  /// must not act as on a fresh start (a sink must not discard the output it will commit).
  bool restoring = false;
};

/// Processing (wall-clock) time, injected: the runtime reads the system clock, tests set it.
class processing_clock {
 public:
  virtual ~processing_clock() = default;
  [[nodiscard]] virtual timestamp now() const = 0;
};

/// The context an operator is opened with.
struct operator_context {
  operator_info info;
  state_backend* backend = nullptr;
  const processing_clock* clock = nullptr;
};

}  // namespace dataflow
