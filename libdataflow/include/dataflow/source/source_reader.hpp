// A source instance reads records in batches when the runtime polls it. It never blocks and
// keeps no clock: the runtime passes processing time in and comes back when asked.
// Thread-safety: owned by one source instance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "dataflow/core/status.hpp"

#include "dataflow/operator/operator_context.hpp"
#include "dataflow/operator/operator_output.hpp"

namespace dataflow {

class source_reader {
 public:
  /// The outcome of one poll.
  struct poll_result {
    enum class kind : std::uint8_t {
      more,  // poll again right away
      wait,  // nothing due now; poll again at `wake_at` (processing time), but no sooner
             // than the channels' buffer timeout after this poll
      end,   // the bounded input is done
    };
    kind what = kind::more;
    timestamp wake_at = 0;
  };

  virtual ~source_reader() = default;
  virtual void open(const operator_context& ctx) { (void)ctx; }

  /// Appends at most `max_records` records to `out` (and maybe a watermark).
  virtual poll_result poll(operator_output& out, std::size_t max_records, timestamp now) = 0;

  /// Records read so far (shown in checkpoint metadata and metrics).
  [[nodiscard]] virtual std::uint64_t position() const noexcept = 0;

  /// Writes what the reader needs to go on from exactly here after a restore: its read position
  /// and its watermark state (so replayed records meet the same watermarks). Called between
  /// polls. The default says the source cannot be checkpointed.
  [[nodiscard]] virtual status snapshot(std::string& out) const {
    (void)out;
    return {errc::not_serializable, "this source cannot take part in checkpoints"};
  }

  /// Restores what snapshot() wrote, before open(); the next poll goes on from there.
  [[nodiscard]] virtual status restore(std::string_view bytes) {
    (void)bytes;
    return {errc::not_serializable, "this source cannot be restored from a checkpoint"};
  }

  /// Restores at another parallelism, before open(): `pieces` are the snapshots of every
  /// instance of the earlier run, in subtask order. A reader of splits (split s read by
  /// instance s % p) takes at open() the splits this instance owns now and goes on with each
  /// where it was; splits no piece reported start from their beginning. The default refuses
  /// (errc::invalid_configuration): most sources' read positions are per instance.
  [[nodiscard]] virtual status restore_rescaled(std::span<const std::string_view> pieces) {
    (void)pieces;
    return {errc::invalid_configuration,
            "this source does not read splits, so its read positions cannot be redistributed"};
  }
};

}  // namespace dataflow
