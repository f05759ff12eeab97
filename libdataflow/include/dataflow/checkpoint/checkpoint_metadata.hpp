// What a complete checkpoint or savepoint holds: the job, every operator by uid, and per
// instance (subtask) its snapshot file, the file's size and checksum, the names of its states
// and, for sources, the read position; plus statistics the coordinator measured. Stored as
// `_metadata` (JSON, see metadata_file.hpp); a checkpoint directory without valid metadata is
// incomplete. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/graph/key_group.hpp"

namespace dataflow {

/// Taken periodically and deleted by retention, or taken on request and kept.
enum class checkpoint_kind : std::uint8_t { checkpoint, savepoint };

/// "checkpoint" or "savepoint".
std::string_view to_string(checkpoint_kind kind) noexcept;

/// One operator instance's part of a checkpoint.
struct subtask_state {
  int subtask = 0;
  /// The snapshot file, relative to the checkpoint directory.
  std::string file;
  /// Payload bytes (what the operator's snapshot() wrote) and their CRC32, as in the header.
  std::uint64_t size = 0;
  std::uint32_t crc32 = 0;
  /// Names of the states in the payload, as the instance reported them (may be empty).
  std::vector<std::string> states;
  /// For source instances: source_reader::position() at the barrier.
  std::optional<std::uint64_t> source_position;
  /// Where the time went, as Flink breaks it down. Wall-clock times are ms since the Unix
  /// epoch on the instance's node (0: not measured, e.g. an older _metadata).
  /// Time from the first barrier to the last at this instance (0 with one input channel).
  std::int64_t alignment_ms = 0;
  /// The first barrier was taken up by the instance (a source: injected it).
  std::int64_t barrier_at_ms = 0;
  /// Time the operator's snapshot() took on its task (the task processes nothing meanwhile).
  std::int64_t sync_ms = 0;
  /// Time from the end of snapshot() to the file being written: waiting for the node's state
  /// writer, then writing, off the task.
  std::int64_t async_ms = 0;
  /// The coordinator received the acknowledgement.
  std::int64_t acknowledged_at_ms = 0;

  /// From triggering the checkpoint (`created_ms`) to the barrier reaching this instance:
  /// mostly time behind records queued upstream. 0 when not measured.
  [[nodiscard]] std::int64_t start_delay_ms(std::int64_t created_ms) const noexcept;
  /// From triggering the checkpoint to this instance's acknowledgement. 0 when not measured.
  [[nodiscard]] std::int64_t end_to_end_ms(std::int64_t created_ms) const noexcept;
};

/// One operator (job node) of the job, matched on restore by `uid`.
struct operator_state {
  std::string uid;
  std::string name;
  /// job_node::kind: "map", "window", "generator"...
  std::string kind;
  /// Fed by a hash (keyed) edge: its state is split by key group.
  bool keyed = false;
  /// A source: its instances store read positions.
  bool source = false;
  int parallelism = 1;
  int max_parallelism = default_max_parallelism;
  /// Indexed by subtask, 0 to parallelism - 1.
  std::vector<subtask_state> subtasks;

  /// True when any instance wrote bytes or a source position.
  [[nodiscard]] bool has_state() const noexcept;
  /// Payload bytes over all instances.
  [[nodiscard]] std::uint64_t state_size() const noexcept;
  /// The longest alignment among the instances.
  [[nodiscard]] std::int64_t alignment_ms() const noexcept;
};

/// Measured by the coordinator; size_bytes is summed by the storage on completion.
struct checkpoint_stats {
  /// From triggering the checkpoint to the last acknowledgement.
  std::int64_t duration_ms = 0;
  /// Payload bytes over all instances.
  std::uint64_t size_bytes = 0;
};

struct checkpoint_metadata {
  std::int64_t id = 0;
  checkpoint_kind kind = checkpoint_kind::checkpoint;
  /// When the checkpoint was triggered, in ms since the Unix epoch (the caller's clock).
  std::int64_t created_ms = 0;
  std::string job_name;
  int max_parallelism = default_max_parallelism;
  std::vector<operator_state> operators;
  checkpoint_stats stats;

  /// The operator with `uid`, or null.
  [[nodiscard]] const operator_state* find(std::string_view uid) const noexcept;
};

}  // namespace dataflow
