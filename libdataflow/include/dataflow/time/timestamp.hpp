// Event time: int64 milliseconds since the epoch. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <limits>

namespace dataflow {

/// A point in event time or processing time, in milliseconds since the Unix epoch.
using timestamp = std::int64_t;

/// A duration in milliseconds.
using duration_ms = std::int64_t;

/// The smallest timestamp; the watermark of an input that has not spoken yet.
inline constexpr timestamp min_timestamp = std::numeric_limits<timestamp>::min();

/// The largest timestamp; the final watermark at the end of a bounded input fires everything.
inline constexpr timestamp max_timestamp = std::numeric_limits<timestamp>::max();

}  // namespace dataflow
