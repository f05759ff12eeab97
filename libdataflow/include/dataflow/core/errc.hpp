// Error codes of libdataflow. One enum for the core; each code has one line saying when it occurs.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string_view>

namespace dataflow {

/// What went wrong, as a value that can cross nodes (it fits in one byte).
enum class errc : std::uint8_t {
  ok = 0,
  /// A job option, operator setting or graph property is invalid; the job does not start.
  invalid_configuration,
  /// The job graph is malformed (dangling edge, forward edge between different parallelisms...).
  invalid_graph,
  /// A user function (map, process function, sink...) threw; the job failed.
  operator_failed,
  /// A record type cannot be serialized (it has no cereal `serialize` function).
  not_serializable,
  /// Bytes could not be decoded: truncated, corrupted, or of another format version.
  decode_failed,
  /// The job was cancelled before its bounded inputs were done.
  cancelled,
  /// The runtime could not start or lost an actor unexpectedly.
  runtime_error,
  /// Waiting for something took longer than the caller allowed.
  timeout,
  /// Input data cannot be read as asked: a malformed JSON line, a bad timestamp or duration.
  invalid_input,
  /// A file cannot be found, opened, read or written.
  io_error,
  /// The job is not running (it ended, or is ending), so it cannot do what was asked.
  not_running,
};

/// Returns the name of `code`, e.g. "invalid_graph".
std::string_view to_string(errc code) noexcept;

}  // namespace dataflow
