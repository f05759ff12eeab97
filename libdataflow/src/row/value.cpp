#include "dataflow/row/value.hpp"

#include <cmath>
#include <cstring>
#include <ostream>

#include "dataflow/json/json_escape.hpp"

namespace dataflow {
namespace {

// Kinds in the order of the total order; int and double share "number".
int rank(value_kind k) noexcept {
  switch (k) {
    case value_kind::null:
      return 0;
    case value_kind::boolean:
      return 1;
    case value_kind::integer:
    case value_kind::floating:
      return 2;
    case value_kind::string:
      return 3;
    case value_kind::list:
      return 4;
    case value_kind::json:
      return 5;
  }
  return 6;
}

int sign(auto a, auto b) noexcept {
  return a < b ? -1 : (b < a ? 1 : 0);
}

constexpr double two_63 = 9223372036854775808.0;

// Exact comparison of an int64 with a double; NaN is above every number.
int compare_int_double(std::int64_t i, double d) noexcept {
  if (std::isnan(d)) return -1;
  if (d >= two_63) return -1;
  if (d < -two_63) return 1;
  double t = std::trunc(d);
  auto ti = static_cast<std::int64_t>(t);  // exact: |t| < 2^63
  if (i != ti) return sign(i, ti);
  return d > t ? -1 : (d < t ? 1 : 0);
}

int compare_doubles(double a, double b) noexcept {
  bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb) return sign(na, nb);
  return sign(a, b);
}

std::size_t mix(std::size_t h, std::size_t v) noexcept {
  // boost::hash_combine with a 64-bit constant.
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

}  // namespace

std::string_view to_string(value_kind k) noexcept {
  switch (k) {
    case value_kind::null:
      return "null";
    case value_kind::boolean:
      return "bool";
    case value_kind::integer:
      return "int";
    case value_kind::floating:
      return "double";
    case value_kind::string:
      return "string";
    case value_kind::list:
      return "list";
    case value_kind::json:
      return "object";
  }
  return "unknown";
}

int compare(const value& a, const value& b) noexcept {
  auto ka = a.kind(), kb = b.kind();
  if (int r = sign(rank(ka), rank(kb))) return r;
  switch (ka) {
    case value_kind::null:
      return 0;
    case value_kind::boolean:
      return sign(a.as_bool(), b.as_bool());
    case value_kind::integer:
      if (kb == value_kind::integer) return sign(a.as_int(), b.as_int());
      return compare_int_double(a.as_int(), b.as_double());
    case value_kind::floating:
      if (kb == value_kind::integer) return -compare_int_double(b.as_int(), a.as_double());
      return compare_doubles(a.as_double(), b.as_double());
    case value_kind::string:
      return sign(a.as_string().compare(b.as_string()), 0);
    case value_kind::list: {
      auto& la = a.as_list();
      auto& lb = b.as_list();
      for (std::size_t i = 0; i < la.size() && i < lb.size(); ++i)
        if (int r = compare(la[i], lb[i])) return r;
      return sign(la.size(), lb.size());
    }
    case value_kind::json:
      return sign(a.raw_json_text().compare(b.raw_json_text()), 0);
  }
  return 0;
}

std::size_t value::hash() const noexcept {
  std::size_t h = static_cast<std::size_t>(rank(kind())) * 0x100000001b3ULL;
  switch (kind()) {
    case value_kind::null:
      return h;
    case value_kind::boolean:
      return mix(h, as_bool() ? 1 : 2);
    case value_kind::integer:
      return mix(h, std::hash<std::int64_t>{}(as_int()));
    case value_kind::floating: {
      double d = as_double();
      if (std::isnan(d)) return mix(h, 0x7ff8);
      // Integral doubles in int64 range hash like the int they equal.
      if (d >= -two_63 && d < two_63 && std::trunc(d) == d)
        return mix(h, std::hash<std::int64_t>{}(static_cast<std::int64_t>(d)));
      std::uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return mix(h, std::hash<std::uint64_t>{}(bits));
    }
    case value_kind::string:
      return mix(h, std::hash<std::string_view>{}(as_string()));
    case value_kind::list:
      for (auto& e : as_list()) h = mix(h, e.hash());
      return mix(h, as_list().size());
    case value_kind::json:
      return mix(h, std::hash<std::string_view>{}(raw_json_text()));
  }
  return h;
}

void append_json(std::string& out, const value& v) {
  switch (v.kind()) {
    case value_kind::null:
      out += "null";
      break;
    case value_kind::boolean:
      out += v.as_bool() ? "true" : "false";
      break;
    case value_kind::integer:
      append_json_int(out, v.as_int());
      break;
    case value_kind::floating:
      append_json_double(out, v.as_double());
      break;
    case value_kind::string:
      append_json_string(out, v.as_string());
      break;
    case value_kind::list: {
      out.push_back('[');
      bool first = true;
      for (auto& e : v.as_list()) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, e);
      }
      out.push_back(']');
      break;
    }
    case value_kind::json:
      out += v.raw_json_text();
      break;
  }
}

std::string to_json(const value& v) {
  std::string s;
  append_json(s, v);
  return s;
}

std::ostream& operator<<(std::ostream& os, const value& v) {
  return os << to_json(v);
}

}  // namespace dataflow
