// Checkpoints of one job in a directory that every node can reach:
//
//   <directory>/chk-<id>/<uid>-<subtask>.state   one snapshot file per operator instance
//   <directory>/chk-<id>/_metadata               written last: without it, incomplete
//   <directory>/savepoint-<id>/...               savepoints, unless given another path
//
// The coordinator begins a checkpoint, instances write their files (write_instance_snapshot)
// and acknowledge, and complete() writes the metadata and applies retention: the newest
// `retained` complete checkpoints stay, older ones and abandoned incomplete directories older
// than the newest complete one are deleted. Savepoints are never deleted. latest() finds the
// newest complete checkpoint whose files all verify, and says why it skipped newer ones.
// Thread-safety: one caller (the coordinator); instances write files concurrently through
// write_instance_snapshot, which does not use this class.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataflow/checkpoint/checkpoint_metadata.hpp"
#include "dataflow/checkpoint/checkpoint_storage_options.hpp"
#include "dataflow/checkpoint/job_description.hpp"
#include "dataflow/checkpoint/pending_checkpoint.hpp"
#include "dataflow/core/status.hpp"

namespace dataflow {

/// A complete checkpoint or savepoint on disk.
struct checkpoint_ref {
  std::string directory;
  checkpoint_metadata metadata;
};

/// What latest() found, and why it passed over newer directories ("chk-9: incomplete ...").
struct latest_checkpoint {
  std::optional<checkpoint_ref> found;
  std::vector<std::string> skipped;
};

/// What complete() wrote, and what retention did.
struct completed_checkpoint {
  checkpoint_ref checkpoint;
  /// Directories deleted by retention.
  std::vector<std::string> removed;
  /// Directories retention could not delete, with the reason (the checkpoint is complete).
  std::vector<std::string> retention_problems;
};

class checkpoint_storage {
 public:
  /// Storage over `directory`, created if missing.
  static expected<checkpoint_storage> open(std::string directory,
                                           checkpoint_storage_options options = {});

  [[nodiscard]] const std::string& directory() const noexcept { return dir_; }
  [[nodiscard]] const checkpoint_storage_options& options() const noexcept { return opts_; }

  /// One more than the highest id of a chk-<id> or savepoint-<id> directory; 1 when none.
  [[nodiscard]] expected<std::int64_t> next_checkpoint_id() const;

  /// Starts checkpoint `id` of `job` in chk-<id>/. A complete chk-<id> is an error
  /// (errc::invalid_configuration); an incomplete one, left by a failed attempt, is replaced.
  [[nodiscard]] expected<pending_checkpoint> begin_checkpoint(std::int64_t id,
                                                              const job_description& job,
                                                              std::int64_t created_ms) const;

  /// Starts savepoint `id` in `target`, or in <directory>/savepoint-<id> when empty. The
  /// target must not exist or be an empty directory.
  [[nodiscard]] expected<pending_checkpoint> begin_savepoint(std::int64_t id,
                                                             const job_description& job,
                                                             std::int64_t created_ms,
                                                             const std::string& target = {}) const;

  /// Writes the metadata of `p` with `stats` (size_bytes is summed here) and, for a
  /// checkpoint, applies retention. Refuses (writing nothing) while an instance has not
  /// acknowledged or a file is not there at the size acknowledged.
  [[nodiscard]] expected<completed_checkpoint> complete(const pending_checkpoint& p,
                                                        checkpoint_stats stats = {}) const;

  /// Deletes the directory of a checkpoint that will not complete (declined, timed out).
  [[nodiscard]] status abort(const pending_checkpoint& p) const;

  /// The newest complete checkpoint whose files all verify (savepoints are not considered).
  [[nodiscard]] expected<latest_checkpoint> latest() const;

 private:
  checkpoint_storage(std::string dir, checkpoint_storage_options opts)
      : dir_(std::move(dir)), opts_(opts) {}

  std::string dir_;
  checkpoint_storage_options opts_;
};

}  // namespace dataflow
