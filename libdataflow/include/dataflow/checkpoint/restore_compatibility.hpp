// Can a job restore from a checkpoint or savepoint? Checked per operator uid, without running
// the job, before anything is restored:
//
// - in both, same kind: ok; another parallelism is fine for keyed operators ("rescaled 2 -> 1")
//   and for operators without state; a source or a non-keyed operator with state must keep
//   its parallelism (see loaded_checkpoint.hpp); a keyed operator with state must keep its
//   max_parallelism (its key groups);
// - in both, another kind: incompatible when it has state (the new operator cannot read it);
// - only in the checkpoint: its state would be dropped: incompatible, or a warning with
//   allow_dropped_state; fine when it had no state;
// - only in the new job: starts empty.
//
// Thread-safety: pure function; plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/checkpoint/checkpoint_metadata.hpp"
#include "dataflow/checkpoint/job_description.hpp"

namespace dataflow {

struct compatibility_options {
  /// Restore even when operators with state are gone from the new job; their state is dropped
  /// and each is reported as a warning. Default: false.
  bool allow_dropped_state = false;
};

/// How one finding weighs in the verdict.
enum class compatibility_level : std::uint8_t { ok, warning, incompatible };

/// "ok", "warning" or "incompatible".
std::string_view to_string(compatibility_level level) noexcept;

/// One line of the report, about one operator.
struct compatibility_finding {
  compatibility_level level = compatibility_level::ok;
  std::string uid;
  /// "rescaled 2 -> 1", "kind changed from window to map: ..."
  std::string message;
};

struct compatibility_report {
  std::vector<compatibility_finding> findings;

  /// No finding is incompatible.
  [[nodiscard]] bool compatible() const noexcept;
  /// One line per finding ("incompatible  per-user: kind changed ..."), then
  /// "verdict: compatible (1 warning)" or "verdict: incompatible (2 problems)".
  [[nodiscard]] std::string to_string() const;
};

/// Checks `job` against the checkpoint `md` (see above).
compatibility_report check_restore_compatibility(const checkpoint_metadata& md,
                                                 const job_description& job,
                                                 const compatibility_options& options = {});

}  // namespace dataflow
