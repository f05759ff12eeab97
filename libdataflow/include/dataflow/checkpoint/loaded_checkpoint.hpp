// A checkpoint or savepoint read back for a restore: its metadata and every instance's bytes,
// all checked. restore_for() says what one instance of the new run restores:
//
// - Same parallelism: instance i gets what old instance i wrote (and its source position).
// - Keyed operator at another parallelism: each new instance gets the bytes of every old
//   instance whose key groups overlap its own, and calls restore() once per piece; the keyed
//   state store keeps only the key groups it owns (keyed_state_store::restore), so handing
//   over whole old snapshots is correct. This needs restore() to add to what an earlier call
//   restored (see docs/checkpoints.md for the operators' part in that).
// - Sources and other non-keyed operators with state: only at the same parallelism. Sources
//   read by subtask index (element i, i + p, ...; split s on instance s % p), so a position
//   means nothing under another p; re-splitting needs positions per split, which readers do
//   not report yet. Stateless operators rescale freely.
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
  /// For a source instance: where to continue reading.
  std::optional<std::uint64_t> source_position;
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
  /// for a uid the checkpoint does not have. errc::invalid_configuration when state cannot be
  /// redistributed to this parallelism.
  [[nodiscard]] expected<instance_restore> restore_for(std::string_view uid, int subtask,
                                                       int parallelism) const;

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
