// A checkpoint or savepoint read back for a restore: its metadata and every instance's bytes,
// all checked. restore_for() says what one instance of the new run restores:
//
// - Same parallelism: instance i gets what old instance i wrote (and its source position).
// - Keyed operator at another parallelism: each new instance gets the bytes of every old
//   instance whose key groups overlap its own, and calls restore() once per piece; the keyed
//   state store keeps only the key groups it owns (keyed_state_store::restore), so handing
//   over whole old snapshots is correct. This needs restore() to add to what an earlier call
//   restored (see docs/checkpoints.md for the operators' part in that).
// - A source that reads splits (split s on instance s % p) at another parallelism: each new
//   instance gets every old instance's snapshot, in subtask order, for
//   source_reader::restore_rescaled, which takes the splits the instance owns now.
// - Other sources and other non-keyed operators with state: only at the same parallelism. A
//   source that reads element i, i + p, ... or generates by index has a position per
//   instance, which means nothing under another p. Stateless operators rescale freely.
//
// Thread-safety: read-only after loading; restore_for may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/checkpoint/checkpoint_metadata.hpp"
#include "dataflow/core/status.hpp"

namespace dataflow {

/// What one new operator instance restores.
struct instance_restore {
  /// Pass each to restore(), in order; they point into the loaded_checkpoint. Empty: the
  /// instance starts empty.
  std::vector<std::string_view> states;
  /// For a source instance: where to continue reading (at the same parallelism).
  std::optional<std::uint64_t> source_position;
  /// A source that reads splits, at another parallelism: `states` are every old instance's
  /// snapshot, in subtask order, to pass together to source_reader::restore_rescaled.
  bool rescaled_source = false;
};

class loaded_checkpoint {
 public:
  /// `bytes[i][s]` is what instance s of md.operators[i] wrote.
  loaded_checkpoint(std::string directory, checkpoint_metadata md,
                    std::vector<std::vector<std::string>> bytes, std::vector<std::string> skipped);

  [[nodiscard]] const std::string& directory() const noexcept { return dir_; }
  [[nodiscard]] const checkpoint_metadata& metadata() const noexcept { return md_; }
  /// Newer checkpoints passed over when loading from a checkpoints directory, with reasons.
  [[nodiscard]] const std::vector<std::string>& skipped() const noexcept { return skipped_; }

  /// The bytes old instance `subtask` of `uid` wrote, or null when there is no such instance.
  [[nodiscard]] const std::string* state(std::string_view uid, int subtask) const noexcept;

  /// What instance `subtask` of `parallelism` of operator `uid` restores (see above). Nothing
  /// for a uid the checkpoint does not have. `source_reads_splits`: the operator is a source
  /// that reads splits (job_node::reads_splits), so its state can be redistributed.
  /// errc::invalid_configuration when state cannot be redistributed to this parallelism.
  [[nodiscard]] expected<instance_restore> restore_for(std::string_view uid, int subtask,
                                                       int parallelism,
                                                       bool source_reads_splits = false) const;

 private:
  std::string dir_;
  checkpoint_metadata md_;
  std::vector<std::vector<std::string>> bytes_;
  std::vector<std::string> skipped_;
};

/// Loads the checkpoint or savepoint at `path` (a directory with `_metadata`), or, for a
/// checkpoints directory (with chk-<id> inside), the newest complete one whose files verify.
/// Every file is read and checked; errors name the file.
expected<loaded_checkpoint> load_checkpoint(const std::string& path);

}  // namespace dataflow
