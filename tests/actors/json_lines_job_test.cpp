// A whole job on the embedded runtime reading a directory of gzip JSON-lines files through a
// filter to a JSON-lines sink, with the bad lines to a dead-letter file: the output equals the
// same job over the uncompressed files and a reference computed here.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "../libdataflow/io/temp_dir.hpp"
#include "dataflow/actors/local_environment.hpp"
#include "dataflow/io/input_files.hpp"

using namespace dataflow;
using dataflow::testing::read_lines;
using dataflow::testing::temp_dir;

namespace {

// Four files of 500 lines; every 97th line is bad.
std::vector<std::string> make_files(std::vector<std::string>& bad) {
  std::vector<std::string> files;
  for (int f = 0; f < 4; ++f) {
    std::string text;
    for (int i = 0; i < 500; ++i) {
      int n = f * 500 + i;
      std::string line;
      if (n % 97 == 5)
        line = "{\"n\":" + std::to_string(n) + ",\"ts\":\"oops\"}";
      else
        line = "{\"n\":" + std::to_string(n) + ",\"ts\":" + std::to_string(n * 10) +
               ",\"user\":\"u" + std::to_string(n % 7) + "\"}";
      if (n % 97 == 5) bad.push_back(line);
      text += line + "\n";
    }
    files.push_back(std::move(text));
  }
  return files;
}

struct job_output {
  std::multiset<std::string> rows, dead_raw;
  std::uint64_t dead_counted = 0;
};

job_output run_job(const std::string& input, const std::string& out_dir, int parallelism) {
  local_environment env;
  env.options().threads = 2;
  env.options().channels.batch_size = 64;
  env.set_parallelism(parallelism);
  json_source_options src;
  src.path = input;
  src.parse.timestamp_field = "ts";
  src.watermarks = watermark_strategy::bounded_out_of_orderness(100);
  src.progress = std::make_shared<json_source_progress>();
  auto rows = env.from_json_lines(src, "events");
  static const auto user = field_id::of("user");
  json_sink_options out;
  out.path = out_dir + "/rows.jsonl";
  rows.filter([](const row& r) { return r.get(user) != value("u0"); })
      .sink_to_json_lines(out, "rows");
  json_sink_options dead;
  dead.path = out_dir + "/dead.jsonl";
  rows.side_output(json_lines_dead_letters).sink_to_json_lines(dead, "dead letters");
  auto r = env.execute();
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  job_output o;
  auto row_files = list_input_files(out_dir + "/rows*.jsonl");
  REQUIRE(row_files);
  for (auto& f : *row_files)
    for (auto& l : read_lines(f)) o.rows.insert(l);
  json_line_parser p;
  auto dead_files = list_input_files(out_dir + "/dead*.jsonl");
  REQUIRE(dead_files);
  for (auto& f : *dead_files) {
    for (auto& l : read_lines(f)) {
      row d;
      timestamp ts;
      REQUIRE(p.parse(l, d, ts) == json_line_parser::outcome::record);
      CHECK(d.get(field_id::of("source")) == value("events"));
      CHECK(d.get(field_id::of("reason")).as_string().find("timestamp field 'ts'") == 0);
      CHECK(d.get(field_id::of("line")).is_int());
      o.dead_raw.insert(d.get(field_id::of("raw")).as_string());
    }
  }
  o.dead_counted = src.progress->dead_letters;
  CHECK(src.progress->fraction() == doctest::Approx(1.0));
  return o;
}

}  // namespace

TEST_CASE("json lines job: a directory of gzip files gives the same output as plain files") {
  temp_dir dir;
  std::vector<std::string> bad;
  auto files = make_files(bad);
  for (std::size_t f = 0; f < files.size(); ++f) {
    dataflow::testing::write_gzip(dir / ("gz/day" + std::to_string(f) + ".jsonl.gz"), files[f]);
    dataflow::testing::write_file(dir / ("plain/day" + std::to_string(f) + ".jsonl"), files[f]);
  }
  // The reference: good lines whose user is not u0, written back as the sink writes them.
  std::multiset<std::string> expected;
  for (auto& text : files) {
    json_line_parser p;
    std::size_t start = 0;
    for (auto nl = text.find('\n'); nl != std::string::npos;
         start = nl + 1, nl = text.find('\n', start)) {
      row r;
      timestamp ts;
      auto line = text.substr(start, nl - start);
      if (std::find(bad.begin(), bad.end(), line) != bad.end()) continue;
      REQUIRE(p.parse(line, r, ts) == json_line_parser::outcome::record);
      if (r.get(field_id::of("user")) == value("u0")) continue;
      expected.insert(to_json(r));
    }
  }
  auto gz = run_job(dir / "gz", dir / "out-gz", 2);
  auto plain = run_job(dir / "plain", dir / "out-plain", 1);
  CHECK(gz.rows.size() == expected.size());
  CHECK(gz.rows == expected);
  CHECK(plain.rows == expected);
  CHECK(gz.dead_raw == std::multiset<std::string>(bad.begin(), bad.end()));
  CHECK(plain.dead_raw == gz.dead_raw);
  CHECK(gz.dead_counted == bad.size());
  CHECK(list_input_files(dir / "out-gz/rows-1.jsonl"));  // parallel instances, one file each
}
