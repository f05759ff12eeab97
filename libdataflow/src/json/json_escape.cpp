#include "dataflow/json/json_escape.hpp"

#include <charconv>
#include <cmath>

namespace dataflow {
namespace {

// 1 for bytes that need an escape inside a JSON string.
constexpr auto make_escape_table() {
  struct table {
    bool needs[256] = {};
  } t;
  for (int c = 0; c < 0x20; ++c) t.needs[c] = true;
  t.needs[static_cast<unsigned char>('"')] = true;
  t.needs[static_cast<unsigned char>('\\')] = true;
  return t;
}
constexpr auto escape_table = make_escape_table();

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!escape_table.needs[c]) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default: {
        static constexpr char hex[] = "0123456789abcdef";
        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out.append(u, 6);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_json_int(std::string& out, std::int64_t i) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, i);
  out.append(buf, r.ptr);
}

void append_json_double(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  bool looks_int = true;
  for (char* p = buf; p != r.ptr; ++p)
    if (*p == '.' || *p == 'e' || *p == 'E') looks_int = false;
  out.append(buf, r.ptr);
  if (looks_int) out += ".0";
}

}  // namespace dataflow
