// A dead letter: an input line a source could not turn into a record, with where it came from
// and why. Sources send them to a side output (see json_lines_source.hpp) instead of failing the
// job; a JSON-lines sink writes them as {"source","file","line","raw","reason"} objects.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "dataflow/json/json_escape.hpp"

namespace dataflow {

struct dead_letter {
  /// The source's name (its node name in the job).
  std::string source;
  /// The file the line was read from.
  std::string file;
  /// The line's number in that file, from 1.
  std::uint64_t line = 0;
  /// The line as read, without its newline.
  std::string raw;
  /// Why it was rejected, e.g. "missing timestamp field 'ts'".
  std::string reason;

  friend bool operator==(const dead_letter&, const dead_letter&) = default;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(source, file, line, raw, reason);
  }
};

/// Appends `d` as one JSON object with fields source, file, line, raw, reason, and '\n'.
inline void append_json_line(std::string& out, const dead_letter& d) {
  out += "{\"source\":";
  append_json_string(out, d.source);
  out += ",\"file\":";
  append_json_string(out, d.file);
  out += ",\"line\":";
  append_json_int(out, static_cast<std::int64_t>(d.line));
  out += ",\"raw\":";
  append_json_string(out, d.raw);
  out += ",\"reason\":";
  append_json_string(out, d.reason);
  out += "}\n";
}

inline std::ostream& operator<<(std::ostream& os, const dead_letter& d) {
  return os << d.file << ':' << d.line << ": " << d.reason;
}

}  // namespace dataflow
