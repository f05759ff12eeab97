// Options of every channel between operator instances. Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstddef>

#include "dataflow/core/status.hpp"

namespace dataflow {

struct channel_options {
  /// Records per batch: a batch is sealed once it holds at least this many. An operator's
  /// output larger than this may be handed over whole rather than copied apart.
  /// Default: 1024.
  std::size_t batch_size = 1024;
  /// A partly filled batch leaves after waiting this long, so latency stays bounded at low rates.
  /// A source with nothing due polls no more often than this, so at a low rate each poll
  /// gathers what came in meanwhile into one batch: a longer timeout trades latency for fewer
  /// wake-ups of every task downstream (CPU per event). Watermarks still seal partial
  /// batches as they pass.
  /// Sources round it up to whole milliseconds. At most 1 hour. Default: 1 ms.
  std::chrono::microseconds buffer_timeout{1000};
  /// Batches a sender may have in flight on one channel; also the bound of the receiver's
  /// queue for that channel. A task stops taking input while a sealed batch waits for credit,
  /// so what waits beyond that is at most the output of one input event.
  /// Default: 8.
  int credits = 8;

  /// The longest buffer timeout validate() accepts.
  static constexpr std::chrono::hours max_buffer_timeout{1};

  [[nodiscard]] status validate() const;
  bool operator==(const channel_options&) const = default;
};

}  // namespace dataflow
