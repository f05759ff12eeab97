// A checkpoint in progress: its directory, the metadata being assembled, and which operator
// instances have acknowledged. checkpoint_storage::begin_* makes one; the coordinator passes
// each acknowledgement in and, when all_acknowledged(), calls checkpoint_storage::complete.
// Thread-safety: owned by the coordinator, not shared.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/checkpoint/checkpoint_metadata.hpp"
#include "dataflow/core/status.hpp"

namespace dataflow {

class pending_checkpoint {
 public:
  [[nodiscard]] std::int64_t id() const noexcept { return md_.id; }
  [[nodiscard]] checkpoint_kind kind() const noexcept { return md_.kind; }
  /// Where instances write their files: the checkpoint_dir of write_instance_snapshot.
  [[nodiscard]] const std::string& directory() const noexcept { return dir_; }
  /// The metadata so far; subtasks not yet acknowledged have an empty file name.
  [[nodiscard]] const checkpoint_metadata& metadata() const noexcept { return md_; }

  /// Records that instance `written.subtask` of `uid` wrote `written` (from
  /// write_instance_snapshot). errc::runtime_error for an unknown uid or subtask, a second
  /// acknowledgement of one instance, or an entry without a file.
  status acknowledge(std::string_view uid, subtask_state written);

  [[nodiscard]] bool all_acknowledged() const noexcept { return remaining_ == 0; }
  /// The instances not acknowledged yet, as "uid/subtask".
  [[nodiscard]] std::vector<std::string> missing() const;

 private:
  friend class checkpoint_storage;
  pending_checkpoint(std::string dir, checkpoint_metadata md);

  std::string dir_;
  checkpoint_metadata md_;
  std::vector<std::vector<bool>> acked_;  // [operator][subtask]
  std::size_t remaining_ = 0;
};

}  // namespace dataflow
