// A source instance reads records in batches when the runtime polls it. It never blocks and
// keeps no clock: the runtime passes processing time in and comes back when asked.
// Thread-safety: owned by one source instance.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dataflow/operator/operator_context.hpp"
#include "dataflow/operator/operator_output.hpp"

namespace dataflow {

class source_reader {
 public:
  /// The outcome of one poll.
  struct poll_result {
    enum class kind : std::uint8_t {
      more,  // poll again right away
      wait,  // nothing due now; poll again at `wake_at` (processing time)
      end,   // the bounded input is done
    };
    kind what = kind::more;
    timestamp wake_at = 0;
  };

  virtual ~source_reader() = default;
  virtual void open(const operator_context& ctx) { (void)ctx; }

  /// Appends at most `max_records` records to `out` (and maybe a watermark).
  virtual poll_result poll(operator_output& out, std::size_t max_records, timestamp now) = 0;

  /// Records read so far: the position a checkpoint will store (#6).
  [[nodiscard]] virtual std::uint64_t position() const noexcept = 0;
};

}  // namespace dataflow
