#include "dataflow/row/row.hpp"

#include <ostream>

#include "dataflow/json/json_escape.hpp"

namespace dataflow {

row::row(std::initializer_list<std::pair<std::string_view, value>> fields) {
  fields_.reserve(fields.size());
  for (auto& [name, v] : fields) set(field_id::of(name), v);
}

const value& row::get(field_id id) const noexcept {
  static const value null_value;
  auto* v = find(id);
  return v ? *v : null_value;
}

bool row::erase(field_id id) {
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    if (it->id == id) {
      fields_.erase(it);
      return true;
    }
  }
  return false;
}

bool row::rename(field_id from, field_id to) {
  if (from == to) return contains(from);
  auto* v = find(from);
  if (!v) return false;
  auto moved = std::move(*v);
  erase(from);
  set(to, std::move(moved));
  return true;
}

bool operator==(const row& a, const row& b) noexcept {
  if (a.size() != b.size()) return false;
  for (auto& f : a.fields_) {
    auto* v = b.find(f.id);
    if (!v || !(*v == f.value)) return false;
  }
  return true;
}

void append_json(std::string& out, const row& r) {
  out.push_back('{');
  bool first = true;
  for (auto& f : r) {
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, f.id.name());
    out.push_back(':');
    append_json(out, f.value);
  }
  out.push_back('}');
}

std::string to_json(const row& r) {
  std::string s;
  append_json(s, r);
  return s;
}

std::ostream& operator<<(std::ostream& os, const row& r) {
  return os << to_json(r);
}

}  // namespace dataflow
