#include "dataflow/json/json_line_writer.hpp"

#include "dataflow/json/json_escape.hpp"

namespace dataflow {

void append_watermark_line(std::string& out, timestamp wm, std::string_view field) {
  out.push_back('{');
  append_json_string(out, field);
  out.push_back(':');
  append_json_int(out, wm);
  out += "}\n";
}

}  // namespace dataflow
