// JSON-lines sinks writing real files: one file, rolling by size and by time, parallel
// instance names, watermark lines, dead letters.
#include "dataflow/sink/json_lines_sink.hpp"

#include <doctest/doctest.h>

#include "../io/temp_dir.hpp"
#include "dataflow/io/input_files.hpp"

using namespace dataflow;
using dataflow::testing::read_lines;
using dataflow::testing::temp_dir;

namespace {

std::vector<record<row>> rows(int from, int to) {
  std::vector<record<row>> out;
  for (int i = from; i < to; ++i) out.push_back({row{{"i", i}, {"s", "x\"y"}}, i});
  return out;
}

operator_info instance(int subtask, int parallelism) {
  operator_info info;
  info.name = "sink";
  info.subtask = subtask;
  info.parallelism = parallelism;
  return info;
}

}  // namespace

TEST_CASE("json lines sink: one file, with watermarks in order with the data") {
  temp_dir dir;
  json_sink_options o;
  o.path = dir / "out/result.jsonl";
  o.write_watermarks = true;
  json_lines_sink_function<row> sink(o);
  sink.open(instance(0, 1));
  sink.write(rows(0, 2));
  sink.on_watermark(5);
  sink.write(rows(2, 3));
  sink.on_watermark(max_timestamp);
  sink.close();
  CHECK(read_lines(dir / "out/result.jsonl") ==
        std::vector<std::string>{R"({"i":0,"s":"x\"y"})", R"({"i":1,"s":"x\"y"})",
                                 R"({"watermark":5})", R"({"i":2,"s":"x\"y"})",
                                 R"({"watermark":9223372036854775807})"});
}

TEST_CASE("json lines sink: parallel instances add their index to the name") {
  temp_dir dir;
  json_sink_options o;
  o.path = dir / "r.jsonl";
  json_lines_sink_function<row> s0(o), s1(o);
  s0.open(instance(0, 2));
  s1.open(instance(1, 2));
  s0.write(rows(0, 1));
  s1.write(rows(1, 2));
  s0.on_watermark(3);  // not written without write_watermarks
  s0.close();
  s1.close();
  CHECK(read_lines(dir / "r-0.jsonl") == std::vector<std::string>{R"({"i":0,"s":"x\"y"})"});
  CHECK(read_lines(dir / "r-1.jsonl") == std::vector<std::string>{R"({"i":1,"s":"x\"y"})"});
}

TEST_CASE("json lines sink: rolling by size keeps whole lines and every part within the limit") {
  temp_dir dir;
  json_sink_options o;
  o.path = dir / "r.jsonl";
  o.roll_bytes = 50;  // two 19-byte lines per part
  json_lines_sink_function<row> sink(o);
  sink.open(instance(0, 1));
  sink.write(rows(0, 3));
  sink.write(rows(3, 5));
  sink.close();
  auto parts = list_input_files(dir / "r.part*.jsonl");
  REQUIRE(parts);
  CHECK(*parts == sink.files());
  REQUIRE(parts->size() == 3);
  CHECK((*parts)[0] == dir / "r.part00000.jsonl");
  std::vector<std::string> all;
  for (auto& p : *parts) {
    auto ls = read_lines(p);
    CHECK(ls.size() <= 2);
    all.insert(all.end(), ls.begin(), ls.end());
  }
  REQUIRE(all.size() == 5);
  CHECK(all[4] == R"({"i":4,"s":"x\"y"})");
}

TEST_CASE("json lines sink: rolling by time on an injected clock") {
  temp_dir dir;
  timestamp now = 1000;
  json_sink_options o;
  o.path = dir / "t.jsonl";
  o.roll_interval = 100;
  o.clock = [&now] { return now; };
  json_lines_sink_function<row> sink(o);
  sink.open(instance(0, 1));
  sink.write(rows(0, 1));
  now = 1050;
  sink.write(rows(1, 2));  // same part
  now = 1100;
  sink.write(rows(2, 3));  // new part
  now = 5000;              // nothing arrives: no empty part
  sink.close();
  REQUIRE(sink.files().size() == 2);
  CHECK(read_lines(sink.files()[0]).size() == 2);
  CHECK(read_lines(sink.files()[1]).size() == 1);
}

TEST_CASE("json lines sink: dead letters as JSON lines") {
  temp_dir dir;
  json_sink_options o;
  o.path = dir / "dead.jsonl";
  json_lines_sink_function<dead_letter> sink(o);
  sink.open(instance(0, 1));
  sink.write({{dead_letter{"in", "a.jsonl", 7, "{oops", "malformed JSON: x"}, 0}});
  sink.close();
  CHECK(read_lines(dir / "dead.jsonl") ==
        std::vector<std::string>{R"({"source":"in","file":"a.jsonl","line":7,"raw":"{oops",)"
                                 R"("reason":"malformed JSON: x"})"});
}

TEST_CASE("json lines sink: an unwritable path fails with the file name") {
  temp_dir dir;
  dataflow::testing::write_file(dir / "blocker", "x");
  json_sink_options o;
  o.path = dir / "blocker/out.jsonl";
  json_lines_sink_function<row> sink(o);
  CHECK_THROWS_WITH_AS(sink.open(instance(0, 1)), doctest::Contains("blocker/out.jsonl"),
                       std::runtime_error);
}
