// Whether an input currently promises watermarks. An idle input (a silent source, split or
// assigner) is left out of the minimum downstream until it becomes active again, so it cannot
// stall event time. Travels on channels in order with records and watermarks.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>

namespace dataflow {

enum class watermark_status : std::uint8_t {
  active,  // the input sends records and watermarks; it holds the minimum back
  idle,    // the input is silent; downstream leaves it out of the minimum
};

}  // namespace dataflow
