// A dynamic value: one field of a row read from a pipeline file's input. It is null, a bool, an
// int64, a double, a string, a list of values (JSON arrays, and what `collect` aggregates make),
// or a JSON object kept as its minified JSON text (`raw_json`), written back verbatim.
//
// Values have a total order, used for sorting keys and min/max:
//   null < bool < number < string < list < raw JSON object,
// where numbers compare by numeric value across int64 and double (1 == 1.0, exactly, also for
// large int64s), NaN is equal to itself and above every other number; strings compare bytewise,
// lists lexicographically and raw JSON by its text. Hashing (absl's AbslHashValue, std::hash and
// hash()) agrees with ==: 1 and 1.0 hash alike.
//
//   value v = 42;  value s = "text";  value l = value::list{1, 2.5, "x"};
//   if (v.is_number() && v.to_double() > 10) ...
//   std::string json = to_json(l);  // [1,2.5,"x"]
//
// Thread-safety: a plain value.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace dataflow {

/// What a value holds.
enum class value_kind : std::uint8_t { null, boolean, integer, floating, string, list, json };

/// The name of `k` for messages: "null", "bool", "int", "double", "string", "list", "object".
std::string_view to_string(value_kind k) noexcept;

class value {
 public:
  using list = std::vector<value>;
  /// A JSON object kept as text (minified); see raw_json().
  struct json_text {
    std::string text;
    friend bool operator==(const json_text&, const json_text&) = default;
  };

  value() noexcept = default;  // null
  value(std::nullptr_t) noexcept {}
  value(bool b) noexcept : v_(b) {}
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char>) value(I i)
  noexcept : v_(static_cast<std::int64_t>(i)) {}
  value(double d) noexcept : v_(d) {}
  value(std::string s) noexcept : v_(std::move(s)) {}
  value(std::string_view s) : v_(std::string(s)) {}
  value(const char* s) : v_(std::string(s)) {}
  value(list l) noexcept : v_(std::move(l)) {}

  /// A JSON object (or any JSON text) kept as text; written back verbatim by to_json().
  static value raw_json(std::string text) {
    value v;
    v.v_ = json_text{std::move(text)};
    return v;
  }

  [[nodiscard]] value_kind kind() const noexcept { return static_cast<value_kind>(v_.index()); }
  [[nodiscard]] bool is_null() const noexcept { return kind() == value_kind::null; }
  [[nodiscard]] bool is_bool() const noexcept { return kind() == value_kind::boolean; }
  [[nodiscard]] bool is_int() const noexcept { return kind() == value_kind::integer; }
  [[nodiscard]] bool is_double() const noexcept { return kind() == value_kind::floating; }
  [[nodiscard]] bool is_number() const noexcept { return is_int() || is_double(); }
  [[nodiscard]] bool is_string() const noexcept { return kind() == value_kind::string; }
  [[nodiscard]] bool is_list() const noexcept { return kind() == value_kind::list; }
  [[nodiscard]] bool is_raw_json() const noexcept { return kind() == value_kind::json; }

  // Accessors: the value must be of that kind (std::bad_variant_access otherwise).
  [[nodiscard]] bool as_bool() const { return std::get<bool>(v_); }
  [[nodiscard]] std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  [[nodiscard]] double as_double() const { return std::get<double>(v_); }
  [[nodiscard]] const std::string& as_string() const { return std::get<std::string>(v_); }
  [[nodiscard]] const list& as_list() const { return std::get<list>(v_); }
  list& as_list() { return std::get<list>(v_); }
  [[nodiscard]] const std::string& raw_json_text() const { return std::get<json_text>(v_).text; }

  /// A number as a double (an int converts); 0 for other kinds.
  [[nodiscard]] double to_double() const noexcept {
    if (auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
    if (auto* d = std::get_if<double>(&v_)) return *d;
    return 0;
  }

  /// Null, bool, int, double, string, list or json_text: for std::visit and std::get_if.
  using variant_type =
      std::variant<std::monostate, bool, std::int64_t, double, std::string, list, json_text>;
  [[nodiscard]] const variant_type& get() const noexcept { return v_; }

  /// The total order described at the top: negative, zero or positive.
  friend int compare(const value& a, const value& b) noexcept;
  friend bool operator==(const value& a, const value& b) noexcept { return compare(a, b) == 0; }
  friend std::weak_ordering operator<=>(const value& a, const value& b) noexcept {
    return compare(a, b) <=> 0;
  }

  /// A hash that agrees with ==.
  [[nodiscard]] std::size_t hash() const noexcept;
  template <class H>
  friend H AbslHashValue(H h, const value& v) {
    return H::combine(std::move(h), v.hash());
  }

  /// cereal: a kind byte, then the payload (lists recursively).
  template <class Archive>
  void save(Archive& ar) const;
  template <class Archive>
  void load(Archive& ar);

 private:
  variant_type v_;
};

/// Appends `v` as JSON: numbers shortest round-trip (a double keeps a ".0"; NaN and
/// infinities become null), strings escaped, raw JSON verbatim.
void append_json(std::string& out, const value& v);
/// `v` as JSON text.
std::string to_json(const value& v);
/// Prints to_json(v).
std::ostream& operator<<(std::ostream& os, const value& v);

}  // namespace dataflow

template <>
struct std::hash<dataflow::value> {
  std::size_t operator()(const dataflow::value& v) const noexcept { return v.hash(); }
};

template <class Archive>
void dataflow::value::save(Archive& ar) const {
  auto k = static_cast<std::uint8_t>(v_.index());
  ar(k);
  switch (kind()) {
    case value_kind::null:
      break;
    case value_kind::boolean:
      ar(std::get<bool>(v_));
      break;
    case value_kind::integer:
      ar(std::get<std::int64_t>(v_));
      break;
    case value_kind::floating:
      ar(std::get<double>(v_));
      break;
    case value_kind::string:
      ar(std::get<std::string>(v_));
      break;
    case value_kind::list: {
      auto& l = std::get<list>(v_);
      ar(static_cast<std::uint64_t>(l.size()));
      for (auto& e : l) e.save(ar);
      break;
    }
    case value_kind::json:
      ar(std::get<json_text>(v_).text);
      break;
  }
}

template <class Archive>
void dataflow::value::load(Archive& ar) {
  std::uint8_t k = 0;
  ar(k);
  switch (static_cast<value_kind>(k)) {
    case value_kind::null:
      v_ = std::monostate{};
      break;
    case value_kind::boolean: {
      bool b = false;
      ar(b);
      v_ = b;
      break;
    }
    case value_kind::integer: {
      std::int64_t i = 0;
      ar(i);
      v_ = i;
      break;
    }
    case value_kind::floating: {
      double d = 0;
      ar(d);
      v_ = d;
      break;
    }
    case value_kind::string: {
      std::string s;
      ar(s);
      v_ = std::move(s);
      break;
    }
    case value_kind::list: {
      std::uint64_t n = 0;
      ar(n);
      list l(static_cast<std::size_t>(n));
      for (auto& e : l) e.load(ar);
      v_ = std::move(l);
      break;
    }
    case value_kind::json: {
      std::string s;
      ar(s);
      v_ = json_text{std::move(s)};
      break;
    }
    default:
      throw std::runtime_error("value: unknown kind " + std::to_string(k));
  }
}
