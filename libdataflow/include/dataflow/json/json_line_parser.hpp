// Parses one line of JSON-lines input into a row, with simdjson (DOM API). One parser per
// source instance: it reuses simdjson's parser, a padded copy buffer and a cache of interned
// field names, so a line costs no allocation beyond the row's own strings and fields.
//
// What a line becomes:
//   - a JSON object: a record. Scalars map to value kinds (numbers that fit int64 are ints,
//     others doubles); arrays become value lists (recursively); nested objects are kept as their
//     minified JSON text in a raw-JSON value (value::raw_json), so writing the row back gives the
//     same object, and no field names are invented by flattening;
//   - an object with the single field `watermark_field` (default "watermark") holding a number:
//     a watermark, `{"watermark": 1714564800000}`, not a record;
//   - an empty or all-blank line: skipped;
//   - anything else is an error with a reason: malformed JSON, not an object, a missing or
//     unparsable timestamp, a field of the wrong type (see json_parse_options::field_types).
// No exception leaves parse().
//
//   json_line_parser p({.timestamp_field = "ts", .time = time_format::iso8601});
//   row r; timestamp ts;
//   switch (p.parse(line, r, ts)) {
//     case json_line_parser::outcome::record: ...;            // r and ts are set
//     case json_line_parser::outcome::watermark: p.watermark(); ...
//     case json_line_parser::outcome::blank: break;
//     case json_line_parser::outcome::error: p.error(); ...  // the reason, for dead letters
//   }
//
// Thread-safety: one parser per thread (source instance).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/core/parse_timestamp.hpp"
#include "dataflow/row/row.hpp"

namespace dataflow {

/// The JSON type a field must have, when json_parse_options::field_types names it.
enum class json_type : std::uint8_t {
  boolean,
  integer,  // a number without fraction that fits int64
  number,   // any number
  string,
  array,
  object,
};
/// "bool"/"boolean", "int"/"integer", "number"/"double", "string", "array"/"list", "object".
expected<json_type> parse_json_type(std::string_view name);
std::string_view to_string(json_type t) noexcept;

/// A type rule: field `field`, when present and not null, must be of type `type`.
struct json_field_type {
  std::string field;
  json_type type = json_type::string;
  /// Whether JSON null is accepted too. Default: false (null is the wrong type).
  bool nullable = false;
};

struct json_parse_options {
  /// The field holding event time; it stays in the row. Empty: every record gets timestamp 0.
  /// Default: empty.
  std::string timestamp_field;
  /// How that field holds time. Default: epoch milliseconds.
  time_format time = time_format::epoch_millis;
  /// A line that is an object with only this field, a number, is a watermark (epoch ms).
  /// Empty: no watermark lines (such a line is a record). Default: "watermark".
  std::string watermark_field = "watermark";
  /// Fields that must have a given type when present; a row that breaks one is an error.
  /// Default: none.
  std::vector<json_field_type> field_types;
};

class json_line_parser {
 public:
  enum class outcome : std::uint8_t { record, watermark, blank, error };

  explicit json_line_parser(json_parse_options opts = {});
  ~json_line_parser();
  json_line_parser(json_line_parser&&) noexcept;
  json_line_parser& operator=(json_line_parser&&) noexcept;

  /// Parses `line` (without its newline). On `record`, `out` holds the fields (it is cleared
  /// first) and `ts` the event time; on `watermark`, watermark() holds it; on `error`, error()
  /// says why and `out` is empty.
  outcome parse(std::string_view line, row& out, timestamp& ts) noexcept;

  /// The reason of the last error.
  [[nodiscard]] const std::string& error() const noexcept;
  /// The watermark of the last watermark line.
  [[nodiscard]] timestamp watermark() const noexcept;
  [[nodiscard]] const json_parse_options& options() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace dataflow
