// Event times as input files write them, read into a timestamp (epoch milliseconds):
//   - epoch milliseconds: a JSON number, 1714564800000 (a fraction is truncated);
//   - epoch seconds: a JSON number, 1714564800 or 1714564800.25;
//   - ISO-8601: a string, 2024-05-01T12:00:00Z, 2024-05-01T12:00:00.250Z,
//     2024-05-01T14:00:00+02:00 (also +0200, a space instead of T, lowercase t/z, fractions to
//     nanoseconds truncated to ms, or a date alone, 2024-05-01, meaning midnight UTC). Without
//     an offset the time is read as UTC.
//
//   auto fmt = parse_time_format("iso8601");                       // time_format::iso8601
//   auto ts = timestamp_from_value(row.get(ts_field), *fmt);      // expected<timestamp>
//   // error: "expected an ISO-8601 time string such as 2024-05-01T12:00:00Z, got 17"
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "dataflow/core/status.hpp"
#include "dataflow/row/value.hpp"
#include "dataflow/time/timestamp.hpp"

namespace dataflow {

/// How an input field holds event time.
enum class time_format : std::uint8_t {
  epoch_millis,   // a number of milliseconds since the epoch
  epoch_seconds,  // a number (maybe fractional) of seconds since the epoch
  iso8601,        // an ISO-8601 string
};

/// "ms" / "millis" / "epoch_millis", "s" / "seconds" / "epoch_seconds", "iso8601" / "iso".
expected<time_format> parse_time_format(std::string_view name);
/// "ms", "s" or "iso8601".
std::string_view to_string(time_format f) noexcept;

/// Parses an ISO-8601 date-time (see above) into epoch milliseconds.
expected<timestamp> parse_iso8601(std::string_view text);

/// Appends `ts` as ISO-8601 UTC with milliseconds, 2024-05-01T12:00:00.000Z.
void append_iso8601(std::string& out, timestamp ts);

/// Reads event time from a field's value in format `f`; errc::invalid_input saying what was
/// expected and what was found otherwise.
expected<timestamp> timestamp_from_value(const value& v, time_format f);

}  // namespace dataflow
