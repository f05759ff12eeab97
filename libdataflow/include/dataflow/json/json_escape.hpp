// Writing JSON text by hand, fast: strings with correct escaping and numbers that read back
// exactly. Used by value/row formatting and the JSON-lines sinks.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dataflow {

/// Appends `s` as a quoted JSON string: `"` and `\` are escaped, control characters become
/// \n, \t, \r, \b, \f or \u00XX; other bytes (UTF-8) are copied as they are.
void append_json_string(std::string& out, std::string_view s);

/// Appends an integer.
void append_json_int(std::string& out, std::int64_t i);

/// Appends a double in the shortest form that reads back exactly, with ".0" when it would
/// otherwise look like an integer; NaN and infinities (not JSON) become null.
void append_json_double(std::string& out, double d);

}  // namespace dataflow
