// The JSON-lines source's snapshot and restore over real files: a read cut at any poll, its
// snapshot restored into a new reader, gives with the rest exactly one uninterrupted read
// (records, dead letters with their lines, watermarks), plain and gzip; and the errors when the
// input no longer matches the snapshot.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>

#include "dataflow/io/json_lines_source.hpp"
#include "temp_dir.hpp"

using namespace dataflow;
using dataflow::testing::temp_dir;
using dataflow::testing::write_file;
using dataflow::testing::write_gzip;

namespace {

/// Everything a reader emitted, in order: watermarks as "after the n-th record".
struct read_log {
  std::vector<record<row>> records;
  std::vector<dead_letter> dead;
  std::vector<timestamp> dead_ts;
  std::vector<std::pair<std::size_t, timestamp>> marks;
};

constexpr std::size_t batch = 3;

/// Polls `r` until it ends or `polls` polls are done; true when it ended.
bool drain(json_lines_source_reader& r, read_log& log, std::size_t polls = SIZE_MAX) {
  operator_output out(&record_type_of<row>());
  for (std::size_t i = 0; i < polls; ++i) {
    auto res = r.poll(out, batch, 0);
    for (auto& rec : out.records<row>()) log.records.push_back(rec);
    for (auto& [tag, b] : out.sides())
      for (auto& d : records_of<dead_letter>(*b)) {
        log.dead.push_back(d.value);
        log.dead_ts.push_back(d.ts);
      }
    if (out.watermark()) log.marks.emplace_back(log.records.size(), *out.watermark());
    out.clear();
    if (res.what == source_reader::poll_result::kind::end) return true;
  }
  return false;
}

operator_context instance(int subtask, int parallelism) {
  operator_context ctx;
  ctx.info.subtask = subtask;
  ctx.info.parallelism = parallelism;
  return ctx;
}

std::unique_ptr<json_lines_source_reader> opened(const json_source_options& o, int subtask = 0,
                                                 int parallelism = 1) {
  auto r = std::make_unique<json_lines_source_reader>(o, "src");
  r->open(instance(subtask, parallelism));
  return r;
}

/// Four files of events a little out of order, the third with a bad line and a blank one.
void write_input(const temp_dir& dir, bool gzip) {
  for (int f = 0; f < 4; ++f) {
    std::string text;
    for (int i = 0; i < 10; ++i) {
      int id = f * 10 + i;
      int ts = id * 100 + (i % 3 == 1 ? -250 : 0);
      text += R"({"id":)" + std::to_string(id) + R"(,"ts":)" + std::to_string(ts) + "}\n";
      if (f == 2 && i == 6) text += "{\"id\":oops}\n\n";
    }
    auto name = dir / ("in/part" + std::to_string(f) + (gzip ? ".jsonl.gz" : ".jsonl"));
    if (gzip)
      write_gzip(name, text);
    else
      write_file(name, text);
  }
}

json_source_options options(const temp_dir& dir) {
  json_source_options o;
  o.path = dir / "in";
  o.parse.timestamp_field = "ts";
  o.watermarks = watermark_strategy::bounded_out_of_orderness(200);
  o.read_buffer = 64;  // small: a resumed offset lies past several refills
  return o;
}

/// For every poll at which a read can be cut: read that far, snapshot, restore the bytes into
/// a new reader and read the rest; both parts together must equal `whole`.
void check_every_cut(const json_source_options& o, const read_log& whole, int subtask = 0,
                     int parallelism = 1) {
  for (std::size_t cut = 0;; ++cut) {
    CAPTURE(cut);
    read_log log;
    auto first = opened(o, subtask, parallelism);
    bool ended = drain(*first, log, cut);
    std::string bytes;
    REQUIRE(first->snapshot(bytes));
    auto position = first->position();
    first.reset();  // the crash: only the bytes survive

    auto second = std::make_unique<json_lines_source_reader>(o, "src");
    REQUIRE(second->restore(bytes));
    second->open(instance(subtask, parallelism));
    CHECK(second->position() == position);
    drain(*second, log);
    CHECK(log.records == whole.records);
    CHECK(log.dead == whole.dead);
    CHECK(log.dead_ts == whole.dead_ts);
    CHECK(log.marks == whole.marks);
    if (ended) break;
  }
}

}  // namespace

TEST_CASE("json lines source checkpoint: a read cut anywhere and restored equals one read") {
  for (bool gzip : {false, true}) {
    CAPTURE(gzip);
    temp_dir dir;
    write_input(dir, gzip);
    auto o = options(dir);
    read_log whole;
    REQUIRE(drain(*opened(o), whole));
    REQUIRE(whole.records.size() == 40);
    REQUIRE(whole.dead.size() == 1);
    // The bad line is line 8 of the third file: a restore before it must keep counting lines.
    CHECK(whole.dead[0].line == 8);
    CHECK(whole.dead[0].file.find("part2") != std::string::npos);
    CHECK(whole.marks.size() > 10);
    check_every_cut(o, whole);
  }
}

TEST_CASE("json lines source checkpoint: an instance of a parallel source resumes its share") {
  temp_dir dir;
  write_input(dir, false);
  auto o = options(dir);
  read_log whole;
  REQUIRE(drain(*opened(o, 1, 2), whole));
  REQUIRE(whole.records.size() == 20);  // files 1 and 3
  check_every_cut(o, whole, 1, 2);
}

TEST_CASE("json lines source checkpoint: watermark lines in the input resume as they were") {
  temp_dir dir;
  write_file(dir / "in/a.jsonl",
             "{\"id\":1,\"ts\":100}\n{\"watermark\":50}\n{\"id\":2,\"ts\":120}\n"
             "{\"watermark\":110}\n{\"watermark\":90}\n{\"id\":3,\"ts\":130}\n");
  write_file(dir / "in/b.jsonl", "{\"id\":4,\"ts\":200}\n{\"watermark\":190}\n{\"id\":5,\"ts\":1}");
  json_source_options o;
  o.path = dir / "in";
  o.parse.timestamp_field = "ts";
  o.watermarks_in_input = true;
  read_log whole;
  REQUIRE(drain(*opened(o), whole));
  REQUIRE(whole.records.size() == 5);
  check_every_cut(o, whole);
}

TEST_CASE("json lines source checkpoint: an input that no longer matches fails with the reason") {
  temp_dir dir;
  write_input(dir, false);
  auto o = options(dir);
  auto first = opened(o);
  read_log log;
  drain(*first, log, 5);  // inside the second file
  std::string bytes;
  REQUIRE(first->snapshot(bytes));
  REQUIRE(first->read_position().file == 1);
  REQUIRE(first->read_position().offset > 0);

  auto restore_and_open = [&](int subtask, int parallelism) {
    json_lines_source_reader r(o, "src");
    REQUIRE(r.restore(bytes));
    r.open(instance(subtask, parallelism));
  };
  CHECK_THROWS_WITH_AS(restore_and_open(0, 2),
                       doctest::Contains("written by instance 0 of 1, this is instance 0 of 2"),
                       std::runtime_error);
  // A file sorting before the one being read shifts the share.
  write_file(dir / "in/part0a.jsonl", "{\"id\":99,\"ts\":1}\n");
  CHECK_THROWS_WITH_AS(restore_and_open(0, 1), doctest::Contains("which is now"),
                       std::runtime_error);
  std::filesystem::remove(dir / "in/part0a.jsonl");
  // The file being read got shorter than the offset.
  write_file(dir / "in/part1.jsonl", "{\"id\":1,\"ts\":1}\n");
  CHECK_THROWS_WITH_AS(restore_and_open(0, 1), doctest::Contains("is shorter than the position"),
                       std::runtime_error);

  json_lines_source_reader r(o, "src");
  auto s = r.restore(bytes.substr(0, bytes.size() / 2));
  CHECK(s.code() == errc::decode_failed);
  CHECK(s.message().find("JSON-lines source 'src'") != std::string::npos);
}
