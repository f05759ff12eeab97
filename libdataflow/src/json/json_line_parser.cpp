#include "dataflow/json/json_line_parser.hpp"

#include <absl/container/flat_hash_map.h>
#include <simdjson.h>

#include <cmath>
#include <cstring>

namespace dataflow {

expected<json_type> parse_json_type(std::string_view n) {
  if (n == "bool" || n == "boolean") return json_type::boolean;
  if (n == "int" || n == "integer") return json_type::integer;
  if (n == "number" || n == "double") return json_type::number;
  if (n == "string") return json_type::string;
  if (n == "array" || n == "list") return json_type::array;
  if (n == "object") return json_type::object;
  return status{errc::invalid_input, "type '" + std::string(n) +
                                         "': expected bool, int, number, string, array or object"};
}

std::string_view to_string(json_type t) noexcept {
  switch (t) {
    case json_type::boolean:
      return "bool";
    case json_type::integer:
      return "int";
    case json_type::number:
      return "number";
    case json_type::string:
      return "string";
    case json_type::array:
      return "array";
    case json_type::object:
      return "object";
  }
  return "unknown";
}

namespace {

bool matches(const value& v, json_type t) noexcept {
  switch (t) {
    case json_type::boolean:
      return v.is_bool();
    case json_type::integer:
      return v.is_int();
    case json_type::number:
      return v.is_number();
    case json_type::string:
      return v.is_string();
    case json_type::array:
      return v.is_list();
    case json_type::object:
      return v.is_raw_json();
  }
  return false;
}

std::string_view json_kind_name(const value& v) noexcept {
  switch (v.kind()) {
    case value_kind::boolean:
      return "bool";
    case value_kind::integer:
      return "int";
    case value_kind::floating:
      return "number";
    case value_kind::list:
      return "array";
    default:
      return to_string(v.kind());
  }
}

bool is_blank(std::string_view s) noexcept {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

}  // namespace

struct json_line_parser::impl {
  json_parse_options opts;
  simdjson::dom::parser parser;
  std::unique_ptr<char[]> buf;
  std::size_t cap = 0;
  absl::flat_hash_map<std::string, field_id> names;
  struct rule {
    field_id id;
    json_type type;
    bool nullable;
  };
  std::vector<rule> rules;
  field_id ts_field;
  std::string error;
  timestamp wm = min_timestamp;

  explicit impl(json_parse_options o) : opts(std::move(o)) {
    if (!opts.timestamp_field.empty()) ts_field = field_id::of(opts.timestamp_field);
    for (auto& r : opts.field_types) rules.push_back({field_id::of(r.field), r.type, r.nullable});
  }

  field_id intern(std::string_view key) {
    if (auto it = names.find(absl::string_view(key.data(), key.size())); it != names.end())
      return it->second;
    auto id = field_id::of(key);
    names.emplace(std::string(key), id);
    return id;
  }

  // Lines of one file mostly have the same keys in the same order: the k-th key of the last
  // line is checked first, which costs a short compare instead of a hash lookup.
  std::vector<std::pair<std::string, field_id>> last_keys;
  field_id intern_at(std::size_t k, std::string_view key) {
    if (k < last_keys.size() && last_keys[k].first == key) return last_keys[k].second;
    auto id = intern(key);
    if (k >= last_keys.size()) last_keys.resize(k + 1);
    last_keys[k] = {std::string(key), id};
    return id;
  }

  // Converts a JSON element into a value (recursively for arrays).
  value convert(simdjson::dom::element e) {
    using simdjson::dom::element_type;
    switch (e.type()) {
      case element_type::INT64:
        return value(std::int64_t(e.get_int64().value_unsafe()));
      case element_type::UINT64:  // above INT64_MAX
        return value(static_cast<double>(e.get_uint64().value_unsafe()));
      case element_type::DOUBLE:
        return value(e.get_double().value_unsafe());
      case element_type::STRING:
        return value(e.get_string().value_unsafe());
      case element_type::BOOL:
        return value(e.get_bool().value_unsafe());
      case element_type::NULL_VALUE:
        return value();
      case element_type::ARRAY: {
        simdjson::dom::array arr;
        if (e.get(arr)) return value();  // cannot fail: the type is ARRAY
        value::list l;
        l.reserve(arr.size());
        for (auto x : arr) l.push_back(convert(x));
        return value(std::move(l));
      }
      case element_type::OBJECT:
        return value::raw_json(simdjson::minify(e));
    }
    return value();
  }

  outcome fail(row& out, std::string why) {
    out.clear();
    error = std::move(why);
    return outcome::error;
  }

  outcome parse(std::string_view line, row& out, timestamp& ts) {
    if (is_blank(line)) return outcome::blank;
    if (cap < line.size() + simdjson::SIMDJSON_PADDING) {
      cap = std::max<std::size_t>(line.size() + simdjson::SIMDJSON_PADDING, 2 * cap);
      buf.reset(new char[cap]);
    }
    std::memcpy(buf.get(), line.data(), line.size());
    std::memset(buf.get() + line.size(), 0, simdjson::SIMDJSON_PADDING);
    simdjson::dom::element doc;
    if (auto err = parser.parse(buf.get(), line.size(), false).get(doc))
      return fail(out, std::string("malformed JSON: ") + simdjson::error_message(err));
    simdjson::dom::object obj;
    if (doc.get(obj)) {
      std::string t = doc.is_array() ? "an array" : "a scalar";
      return fail(out, "expected a JSON object, got " + t);
    }
    out.clear();
    if (!opts.watermark_field.empty() && obj.size() == 1) {
      auto [key, v] = *obj.begin();
      if (key == opts.watermark_field) {
        if (v.is_int64()) {
          wm = v.get_int64().value_unsafe();
        } else if (v.is_double() && std::isfinite(v.get_double().value_unsafe()) &&
                   std::fabs(v.get_double().value_unsafe()) < 9.2e18) {
          wm = static_cast<timestamp>(v.get_double().value_unsafe());
        } else {
          return fail(out, "watermark line: expected \"" + opts.watermark_field +
                               "\": <epoch milliseconds>, got " + simdjson::minify(v));
        }
        return outcome::watermark;
      }
    }
    out.reserve(obj.size());
    std::size_t k = 0;
    for (auto [key, v] : obj) out.set(intern_at(k++, key), convert(v));
    for (auto& r : rules) {
      auto* v = out.find(r.id);
      if (!v || (r.nullable && v->is_null()) || matches(*v, r.type)) continue;
      std::string why = "field '";
      why += r.id.name();
      why += "': expected ";
      why += to_string(r.type);
      why += ", got ";
      why += json_kind_name(*v);
      why += ' ';
      auto j = to_json(*v);
      why += j.size() > 40 ? j.substr(0, 40) + "..." : j;
      return fail(out, std::move(why));
    }
    if (!ts_field.valid()) {
      ts = 0;
      return outcome::record;
    }
    auto* tv = out.find(ts_field);
    if (!tv) return fail(out, "missing timestamp field '" + opts.timestamp_field + "'");
    auto t = timestamp_from_value(*tv, opts.time);
    if (!t)
      return fail(out, "timestamp field '" + opts.timestamp_field + "': " + t.error().message());
    ts = *t;
    return outcome::record;
  }
};

json_line_parser::json_line_parser(json_parse_options opts)
    : impl_(std::make_unique<impl>(std::move(opts))) {}
json_line_parser::~json_line_parser() = default;
json_line_parser::json_line_parser(json_line_parser&&) noexcept = default;
json_line_parser& json_line_parser::operator=(json_line_parser&&) noexcept = default;

json_line_parser::outcome json_line_parser::parse(std::string_view line, row& out,
                                                  timestamp& ts) noexcept {
  try {
    return impl_->parse(line, out, ts);
  } catch (const std::exception& e) {  // allocation failure: report it as this line's error
    return impl_->fail(out, std::string("cannot parse: ") + e.what());
  }
}

const std::string& json_line_parser::error() const noexcept {
  return impl_->error;
}
timestamp json_line_parser::watermark() const noexcept {
  return impl_->wm;
}
const json_parse_options& json_line_parser::options() const noexcept {
  return impl_->opts;
}

}  // namespace dataflow
