// The task side of a checkpoint: after the barrier is aligned, each operator instance's bytes
// go into one snapshot file in the checkpoint directory, and what was written (file, size,
// checksum) travels back to the coordinator in the acknowledgement, which passes it to
// pending_checkpoint::acknowledge.
//
//   instance_snapshot snap{.uid = node.uid, .subtask = info.subtask};
//   if (auto s = op.snapshot(snap.bytes); !s) return s;
//   auto written = write_instance_snapshot(pending_dir, snap);   // -> ack(uid, *written)
//
// A task hands over a deferred snapshot instead (the state frozen at the barrier), and the
// state writer turns it into bytes first (write_deferred_bytes), off the task's thread.
//
// Thread-safety: pure functions; instances write their own files concurrently, from any node
// that can reach the checkpoint directory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/checkpoint/checkpoint_metadata.hpp"
#include "dataflow/core/status.hpp"
#include "dataflow/state/deferred_snapshot.hpp"

namespace dataflow {

/// One operator instance's contribution to a checkpoint.
struct instance_snapshot {
  /// job_node::uid of the operator.
  std::string uid;
  int subtask = 0;
  /// What operator_base::snapshot() wrote; empty for a stateless operator or a source.
  std::string bytes;
  /// Names of the states in `bytes`, if the instance knows them (shown in the metadata).
  std::vector<std::string> states;
  /// For a source instance: source_reader::position() at the barrier.
  std::optional<std::uint64_t> source_position;
  /// Time the instance spent aligning the barrier.
  std::int64_t alignment_ms = 0;
  /// Wall-clock time (ms since the Unix epoch) the first barrier was taken up by the instance
  /// (for a source: injected), and the time the task spent on this part: snapshot(), or
  /// freezing the state when the bytes are deferred.
  std::int64_t barrier_at_ms = 0;
  std::int64_t sync_ms = 0;
  /// Wall-clock time the task handed the parts over; write_instance_snapshot measures the
  /// asynchronous part (waiting for the writer, serializing deferred bytes, writing) from here.
  std::int64_t synced_at_ms = 0;
  /// Instead of `bytes`, from a task at a barrier: what writes them later
  /// (operator_base::snapshot_deferred), which write_deferred_bytes runs on the state writer's
  /// thread. Not sent between nodes.
  std::shared_ptr<deferred_snapshot> deferred = nullptr;
};

/// The snapshot file name of instance `subtask` of `uid`: "<uid>-<subtask>.state", with bytes
/// other than letters, digits, '.', '_' and '-' written as %XX (distinct uids give distinct
/// names); very long uids are shortened and end in a hash.
std::string snapshot_file_name(std::string_view uid, int subtask);

/// Runs `snap.deferred`, if any, which appends the frozen state's bytes to snap.bytes, and
/// drops it (releasing what it froze).
status write_deferred_bytes(instance_snapshot& snap);

/// Writes `snap` as a snapshot file into `checkpoint_dir` and returns its entry for the metadata,
/// with async_ms measured up to the end of the write.
expected<subtask_state> write_instance_snapshot(const std::string& checkpoint_dir,
                                                const instance_snapshot& snap);

}  // namespace dataflow
