#include "dataflow/json/json_line_parser.hpp"

#include <doctest/doctest.h>

#include "dataflow/json/json_line_writer.hpp"

using namespace dataflow;
using outcome = json_line_parser::outcome;

namespace {
json_parse_options with_ts(std::string field, time_format f = time_format::epoch_millis) {
  json_parse_options o;
  o.timestamp_field = std::move(field);
  o.time = f;
  return o;
}
}  // namespace

TEST_CASE("json_line_parser: types, escapes, arrays and nested objects") {
  json_line_parser p(with_ts("ts"));
  row r;
  timestamp ts = -1;
  auto line =
      R"({"ts": 1000, "s": "a\"b\\c\n\u00e9\ud83d\ude00", "i": -7, "big": 18446744073709551615,)"
      R"( "d": 2.5, "b": true, "n": null, "arr": [1, "x", [2], {"k": 1}],)"
      R"( "obj": {"x": {"y": [1, 2]}, "z": "w"}})";
  REQUIRE(p.parse(line, r, ts) == outcome::record);
  CHECK(ts == 1000);
  CHECK(r.get(field_id::of("s")) == value("a\"b\\c\né😀"));
  CHECK(r.get(field_id::of("i")) == value(-7));
  CHECK(r.get(field_id::of("i")).is_int());
  CHECK(r.get(field_id::of("big")).is_double());
  CHECK(r.get(field_id::of("d")) == value(2.5));
  CHECK(r.get(field_id::of("b")) == value(true));
  CHECK(r.get(field_id::of("n")).is_null());
  CHECK(r.contains(field_id::of("n")));
  CHECK(to_json(r.get(field_id::of("arr"))) == R"([1,"x",[2],{"k":1}])");
  CHECK(r.get(field_id::of("obj")).is_raw_json());
  CHECK(r.get(field_id::of("obj")).raw_json_text() == R"({"x":{"y":[1,2]},"z":"w"})");
  // Written back, then parsed again: the same row.
  std::string out;
  append_json_line(out, r);
  CHECK(out.back() == '\n');
  row again;
  REQUIRE(p.parse(std::string_view(out).substr(0, out.size() - 1), again, ts) == outcome::record);
  CHECK(again == r);
  CHECK(to_json(again) == to_json(r));
}

TEST_CASE("json_line_parser: watermark lines and blank lines are not records") {
  json_line_parser p;
  row r;
  timestamp ts = 0;
  REQUIRE(p.parse(R"({"watermark": 12345})", r, ts) == outcome::watermark);
  CHECK(p.watermark() == 12345);
  CHECK(p.parse("   ", r, ts) == outcome::blank);
  CHECK(p.parse("", r, ts) == outcome::blank);
  // Two fields: a record with a field named watermark.
  CHECK(p.parse(R"({"watermark": 1, "x": 2})", r, ts) == outcome::record);
  REQUIRE(p.parse(R"({"watermark": "soon"})", r, ts) == outcome::error);
  CHECK(p.error().find("watermark line: expected") != std::string::npos);
  std::string w;
  append_watermark_line(w, 77);
  CHECK(w == "{\"watermark\":77}\n");
  // Without watermark lines, the same line is a record.
  json_parse_options no_wm;
  no_wm.watermark_field = "";
  json_line_parser q(no_wm);
  CHECK(q.parse(R"({"watermark": 12345})", r, ts) == outcome::record);
}

TEST_CASE("json_line_parser: each error has a reason and leaves the row empty") {
  auto opts = with_ts("ts", time_format::iso8601);
  opts.field_types = {{"n", json_type::integer, false},
                      {"s", json_type::string, false},
                      {"o", json_type::object, true}};
  json_line_parser p(opts);
  row r{{"stale", 1}};
  timestamp ts = 0;
  struct bad_case {
    const char* line;
    const char* reason;
  };
  for (auto [line, reason] : std::initializer_list<bad_case>{
           {R"({"ts": "2024-05-01T12:00:00Z", "n": 1)", "malformed JSON"},
           {R"({"ts": "2024-05-01T12:00:00Z"} trailing)", "malformed JSON"},
           {R"(not json)", "malformed JSON"},
           {R"({"s": "\x"})", "malformed JSON"},
           {R"([1, 2])", "expected a JSON object, got an array"},
           {R"(42)", "expected a JSON object, got a scalar"},
           {R"({"n": 1})", "missing timestamp field 'ts'"},
           {R"({"ts": 1714564800000})", "timestamp field 'ts': expected an ISO-8601"},
           {R"({"ts": "2024-05-01T12:00:00"} )", ""},
           {R"({"ts": "May 1st"})", "timestamp field 'ts': timestamp 'May 1st'"},
           {R"({"ts": "2024-05-01", "n": 1.5})", "field 'n': expected int, got number 1.5"},
           {R"({"ts": "2024-05-01", "s": 3})", "field 's': expected string, got int 3"},
           {R"({"ts": "2024-05-01", "n": null})", "field 'n': expected int, got null"},
       }) {
    CAPTURE(line);
    auto o = p.parse(line, r, ts);
    if (std::string_view(reason).empty()) {
      CHECK(o == outcome::record);
      continue;
    }
    REQUIRE(o == outcome::error);
    CHECK(p.error().find(reason) != std::string::npos);
    CHECK(r.empty());
  }
  // Nullable fields take null; typed fields may be absent.
  CHECK(p.parse(R"({"ts": "2024-05-01", "o": null})", r, ts) == outcome::record);
  CHECK(p.parse(R"({"ts": "2024-05-01", "o": {"a": 1}})", r, ts) == outcome::record);
  CHECK(!parse_json_type("float"));
  CHECK(*parse_json_type("number") == json_type::number);
}
