// Writing JSON lines: a row as one JSON object and a newline, and watermark lines in the form
// sources read back, `{"watermark":<ms>}`. Strings are escaped (see json_escape.hpp); field
// order is the row's.
//
//   std::string buf;
//   for (auto& r : records) append_json_line(buf, r.value);
//   append_watermark_line(buf, wm);
//   fwrite(buf.data(), 1, buf.size(), f);
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "dataflow/row/row.hpp"
#include "dataflow/time/timestamp.hpp"

namespace dataflow {

/// Appends `r` as a JSON object and '\n'.
inline void append_json_line(std::string& out, const row& r) {
  append_json(out, r);
  out.push_back('\n');
}

/// Appends `{"watermark":<wm>}` and '\n' (the field name is `field`).
void append_watermark_line(std::string& out, timestamp wm, std::string_view field = "watermark");

}  // namespace dataflow
