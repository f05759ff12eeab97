// Durations as pipeline files write them: an integer and a unit, `250ms`, `5s`, `1m`, `1h`,
// `7d`, or several of those from the largest unit down, `1h30m`, `2m30s500ms`. Units: ms, s, m,
// h, d. No sign, no fractions, no spaces.
//
//   auto d = parse_duration("1h30m");   // expected<duration_ms>{5'400'000}
//   if (!d) std::cerr << d.error().message();  // e.g. "duration '5': missing unit ..."
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "dataflow/core/status.hpp"
#include "dataflow/time/timestamp.hpp"

namespace dataflow {

/// Parses `text` into milliseconds; errc::invalid_input with a message saying what was
/// expected when it is not a duration (or overflows int64 milliseconds).
expected<duration_ms> parse_duration(std::string_view text);

/// Writes `d` back in the largest units that divide it: 5400000 -> "1h30m", 0 -> "0ms".
std::string format_duration(duration_ms d);

}  // namespace dataflow
