// The JSON-lines source over real files: a file, a directory, a glob, gzip; watermark lines;
// dead letters; the split among instances; progress and position.
#include "dataflow/io/json_lines_source.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "dataflow/io/input_files.hpp"
#include "temp_dir.hpp"

using namespace dataflow;
using dataflow::testing::temp_dir;
using dataflow::testing::write_file;
using dataflow::testing::write_gzip;

namespace {

struct read_result {
  std::vector<record<row>> records;
  std::vector<dead_letter> dead;
  std::vector<timestamp> dead_ts;
  std::vector<timestamp> watermarks;
  // Watermarks as "after the n-th record".
  std::vector<std::pair<std::size_t, timestamp>> marks;
};

read_result read_all(json_source_options opts, int subtask = 0, int parallelism = 1,
                     std::size_t batch = 3, json_lines_source_reader** keep = nullptr) {
  auto reader = std::make_unique<json_lines_source_reader>(opts, "src");
  operator_context ctx;
  ctx.info.subtask = subtask;
  ctx.info.parallelism = parallelism;
  reader->open(ctx);
  read_result res;
  operator_output out(&record_type_of<row>());
  for (int guard = 0; guard < 100000; ++guard) {
    auto r = reader->poll(out, batch, 0);
    for (auto& rec : out.records<row>()) res.records.push_back(rec);
    for (auto& [tag, b] : out.sides()) {
      CHECK(tag == json_lines_dead_letters.id);
      for (auto& d : records_of<dead_letter>(*b)) {
        res.dead.push_back(d.value);
        res.dead_ts.push_back(d.ts);
      }
    }
    if (out.watermark()) {
      res.watermarks.push_back(*out.watermark());
      res.marks.emplace_back(res.records.size(), *out.watermark());
    }
    out.clear();
    if (r.what == source_reader::poll_result::kind::end) break;
  }
  if (keep) *keep = reader.release();
  return res;
}

std::string lines_for(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i)
    s += R"({"id":)" + std::to_string(i) + R"(,"ts":)" + std::to_string(i * 1000) +
         R"(,"user":"u)" + std::to_string(i % 3) + "\"}\n";
  return s;
}

json_source_options options(std::string path) {
  json_source_options o;
  o.path = std::move(path);
  o.parse.timestamp_field = "ts";
  return o;
}

std::vector<std::int64_t> ids(const read_result& r) {
  std::vector<std::int64_t> out;
  static const auto id = field_id::of("id");
  for (auto& rec : r.records) out.push_back(rec.value.get(id).as_int());
  return out;
}

}  // namespace

TEST_CASE("json lines source: one file gives its rows with event time from the field") {
  temp_dir dir;
  write_file(dir / "a.jsonl", lines_for(0, 10));
  auto r = read_all(options(dir / "a.jsonl"));
  REQUIRE(r.records.size() == 10);
  CHECK(r.records[4].ts == 4000);
  CHECK(r.records[4].value == row{{"id", 4}, {"ts", 4000}, {"user", "u1"}});
  CHECK(r.dead.empty());
}

TEST_CASE("json lines source: a directory and a glob are read in name order") {
  temp_dir dir;
  write_file(dir / "in/b.jsonl", lines_for(5, 10));
  write_file(dir / "in/a.jsonl", lines_for(0, 5));
  write_file(dir / "in/c.jsonl", lines_for(10, 12));
  write_file(dir / "in/.hidden", "garbage\n");
  auto files = list_input_files(dir / "in");
  REQUIRE(files);
  CHECK(files->size() == 3);
  std::vector<std::int64_t> expected(12);
  for (int i = 0; i < 12; ++i) expected[i] = i;
  CHECK(ids(read_all(options(dir / "in"))) == expected);
  auto glob = read_all(options(dir / "in/[ab].jsonl"));
  CHECK(ids(glob) == std::vector<std::int64_t>(expected.begin(), expected.begin() + 10));
  CHECK(!list_input_files(dir / "in/*.csv"));
  CHECK(list_input_files(dir / "in/*.csv").error().message().find("no files match") !=
        std::string::npos);
  CHECK(!list_input_files(dir / "missing"));
  json_lines_source_reader bad(options(dir / "nothing/*.jsonl"), "src");
  CHECK_THROWS_WITH_AS(bad.open(operator_context{}), doctest::Contains("no files match"),
                       std::runtime_error);
}

TEST_CASE("json lines source: gzip files give the same rows as plain files") {
  temp_dir dir;
  std::string big;  // long enough to cross buffer refills
  for (int f = 0; f < 3; ++f) {
    auto text = lines_for(f * 1000, f * 1000 + 1000);
    write_file(dir / ("plain/part" + std::to_string(f) + ".jsonl"), text);
    write_gzip(dir / ("gz/part" + std::to_string(f) + ".jsonl.gz"), text);
  }
  auto o1 = options(dir / "plain");
  auto o2 = options(dir / "gz");
  o1.read_buffer = o2.read_buffer = 1000;  // small: lines straddle reads
  auto plain = read_all(o1, 0, 1, 256);
  auto gz = read_all(o2, 0, 1, 256);
  REQUIRE(plain.records.size() == 3000);
  CHECK(gz.records == plain.records);
  CHECK(gz.dead.empty());
  line_reader lr;
  REQUIRE(lr.open(dir / "gz/part0.jsonl.gz"));
  CHECK(lr.compressed());
}

TEST_CASE("json lines source: watermark lines are punctuations, not records") {
  temp_dir dir;
  write_file(dir / "w.jsonl",
             "{\"id\":1,\"ts\":100}\n{\"watermark\":50}\n{\"id\":2,\"ts\":120}\n"
             "{\"watermark\":110}\n{\"watermark\":90}\n{\"id\":3,\"ts\":130}\n");
  auto o = options(dir / "w.jsonl");
  o.watermarks_in_input = true;
  auto r = read_all(o, 0, 1, 1);
  CHECK(ids(r) == std::vector<std::int64_t>{1, 2, 3});
  // In order with the records, never backwards (90 after 110 is ignored).
  CHECK(r.marks == std::vector<std::pair<std::size_t, timestamp>>{{1, 50}, {2, 110}});
  // Without watermarks_in_input the lines are dropped and the strategy decides.
  auto o2 = options(dir / "w.jsonl");
  o2.watermarks = watermark_strategy::monotonous();
  auto r2 = read_all(o2, 0, 1, 10);
  CHECK(ids(r2) == std::vector<std::int64_t>{1, 2, 3});
  CHECK(r2.watermarks == std::vector<timestamp>{129});
}

TEST_CASE("json lines source: dead letters hold exactly the bad lines with file, line and reason") {
  temp_dir dir;
  auto opts = options(dir / "in");
  opts.parse.time = time_format::iso8601;
  opts.parse.field_types = {{"n", json_type::integer, false}};
  opts.progress = std::make_shared<json_source_progress>();
  write_file(dir / "in/1.jsonl",
             "{\"ts\":\"2024-05-01T00:00:00Z\",\"n\":1}\n"
             "{\"ts\":\"2024-05-01T00:00:01Z\",\"n\":2\n"  // line 2: malformed
             "\n"                                          // line 3: blank, skipped
             "{\"n\":3}\n"                                 // line 4: no timestamp
             "{\"ts\":\"2024-05-01T00:00:03Z\",\"n\":4}\r\n");
  write_file(dir / "in/2.jsonl",
             "{\"ts\":\"yesterday\",\"n\":5}\n"                   // line 1: bad timestamp
             "{\"ts\":\"2024-05-01T00:00:05Z\",\"n\":\"six\"}\n"  // line 2: wrong type
             "{\"ts\":\"2024-05-01T00:00:06Z\",\"n\":7}");        // no final newline
  // A truncated gzip file: its good lines are read, then a read error is a dead letter.
  std::string text;
  for (int i = 0; i < 200; ++i)
    text += "{\"ts\":\"2024-05-01T01:00:00Z\",\"n\":" + std::to_string(1000 + i) + "}\n";
  write_gzip(dir / "in/3.jsonl.gz", text);
  auto gz = dataflow::testing::read_file(dir / "in/3.jsonl.gz");
  write_file(dir / "in/3.jsonl.gz", gz.substr(0, gz.size() / 2));

  auto r = read_all(opts);
  // 4 bad lines, then from the truncated file maybe its cut last line, then the read error.
  REQUIRE(r.dead.size() >= 5);
  REQUIRE(r.dead.size() <= 6);
  CHECK(r.dead[0] == dead_letter{"src", dir / "in/1.jsonl", 2,
                                 "{\"ts\":\"2024-05-01T00:00:01Z\",\"n\":2", r.dead[0].reason});
  CHECK(r.dead[0].reason.find("malformed JSON") == 0);
  CHECK(r.dead[1].line == 4);
  CHECK(r.dead[1].raw == "{\"n\":3}");
  CHECK(r.dead[1].reason == "missing timestamp field 'ts'");
  CHECK(r.dead[2].file == dir / "in/2.jsonl");
  CHECK(r.dead[2].line == 1);
  CHECK(r.dead[2].reason.find("timestamp field 'ts': timestamp 'yesterday'") == 0);
  CHECK(r.dead[3].line == 2);
  CHECK(r.dead[3].reason == "field 'n': expected int, got string \"six\"");
  // A dead letter carries the last good record's time, so it stays in order with the data.
  const timestamp t0 = 1'714'521'600'000;  // 2024-05-01T00:00:00Z
  CHECK(r.dead_ts[0] == t0);
  CHECK(r.dead_ts[1] == t0);
  CHECK(r.dead_ts[2] == t0 + 3'000);
  CHECK(r.dead_ts[3] == t0 + 3'000);
  auto& last = r.dead.back();
  CHECK(last.file == dir / "in/3.jsonl.gz");
  CHECK(last.raw.empty());
  CHECK(last.reason.find("reading '") == 0);
  if (r.dead.size() == 6) CHECK(r.dead[4].reason.find("malformed JSON") == 0);
  std::vector<std::int64_t> ns;
  for (auto& rec : r.records)
    if (auto n = rec.value.get(field_id::of("n")).as_int(); n < 1000) ns.push_back(n);
  CHECK(ns == std::vector<std::int64_t>{1, 4, 7});
  CHECK(r.records.size() > 3);  // and the first lines of the truncated file
  CHECK(r.records.size() < 203);
  CHECK(opts.progress->dead_letters == r.dead.size());
  CHECK(opts.progress->records == r.records.size());
  CHECK(opts.progress->files_done == 3);
  CHECK(opts.progress->fraction() == doctest::Approx(1.0));
  std::string line;
  append_json_line(line, r.dead[1]);
  CHECK(line == "{\"source\":\"src\",\"file\":\"" + dir / "in/1.jsonl" +
                    "\",\"line\":4,\"raw\":\"{\\\"n\\\":3}\",\"reason\":\"missing timestamp "
                    "field 'ts'\"}\n");
}

TEST_CASE("json lines source: instances split the files and track their position") {
  temp_dir dir;
  for (int f = 0; f < 5; ++f)
    write_file(dir / ("in/" + std::to_string(f) + ".jsonl"), lines_for(f * 10, f * 10 + 10));
  std::vector<std::int64_t> all;
  for (int s = 0; s < 2; ++s) {
    json_lines_source_reader* reader = nullptr;
    auto r = read_all(options(dir / "in"), s, 2, 4, &reader);
    std::unique_ptr<json_lines_source_reader> owned(reader);
    CHECK(reader->files().size() == (s == 0 ? 3u : 2u));
    CHECK(reader->files()[0] == dir / ("in/" + std::to_string(s) + ".jsonl"));
    CHECK(reader->position() == r.records.size());
    CHECK(reader->read_position().file == reader->files().size());
    for (auto i : ids(r)) all.push_back(i);
  }
  std::sort(all.begin(), all.end());
  REQUIRE(all.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(all[i] == i);

  // Mid-file position: file index, byte offset and line number.
  auto reader = std::make_unique<json_lines_source_reader>(options(dir / "in/0.jsonl"), "s");
  reader->open(operator_context{});
  operator_output out(&record_type_of<row>());
  (void)reader->poll(out, 3, 0);
  auto pos = reader->read_position();
  CHECK(pos.file == 0);
  CHECK(pos.line == 3);
  CHECK(pos.offset == lines_for(0, 3).size());
}

TEST_CASE("json lines source: per-file watermarks with bounded out-of-orderness") {
  temp_dir dir;
  write_file(dir / "in/a.jsonl", lines_for(0, 5));
  write_file(dir / "in/b.jsonl", lines_for(5, 10));
  auto o = options(dir / "in");
  o.watermarks = watermark_strategy::bounded_out_of_orderness(500);
  auto r = read_all(o, 0, 1, 2);
  REQUIRE(!r.watermarks.empty());
  CHECK(std::is_sorted(r.watermarks.begin(), r.watermarks.end()));
  for (auto [n, wm] : r.marks)  // no record read so far is behind... and none after is late
    for (std::size_t i = n; i < r.records.size(); ++i) CHECK(r.records[i].ts > wm);
  CHECK(r.watermarks.back() == 9000 - 501);
}
