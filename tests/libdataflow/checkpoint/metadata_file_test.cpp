// Checkpoint metadata: JSON round trip, clear errors, and atomic writes (a stray temporary
// file is never read; without _metadata a checkpoint is incomplete).
#include "dataflow/checkpoint/metadata_file.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "../io/temp_dir.hpp"

using namespace dataflow;
using dataflow::testing::read_file;
using dataflow::testing::temp_dir;
using dataflow::testing::write_file;

namespace {

checkpoint_metadata sample() {
  checkpoint_metadata md;
  md.id = 42;
  md.kind = checkpoint_kind::savepoint;
  md.created_ms = 1'700'000'000'123;
  md.job_name = "clicks";
  md.max_parallelism = 64;
  md.stats = {1234, 99};
  operator_state src{"gen", "generator", "generator", false, true, 1, 64, {}};
  src.subtasks.push_back({0, "gen-0.state", 0, 0, {}, 5000, 0});
  operator_state win{"per-user", "per user", "window", true, false, 2, 64, {}};
  win.subtasks.push_back({0, "per-user-0.state", 40, 0xdeadbeef, {"window-contents"}, {}, 3});
  win.subtasks.push_back({1, "per-user-1.state", 59, 7, {"window-contents", "timers"}, {}, 12});
  auto& timed = win.subtasks.back();
  timed.barrier_at_ms = md.created_ms + 400;
  timed.sync_ms = 30;
  timed.async_ms = 250;
  timed.acknowledged_at_ms = md.created_ms + 700;
  md.operators = {src, win};
  return md;
}

}  // namespace

TEST_CASE("checkpoint metadata: JSON round trip keeps every field") {
  const auto md = sample();
  const std::string json = metadata_to_json(md);
  CHECK(json.find("\"format_version\": 1") != std::string::npos);
  CHECK(json.find("\"kind\": \"savepoint\"") != std::string::npos);
  auto back = metadata_from_json(json, "test");
  REQUIRE(back);
  CHECK(back->id == 42);
  CHECK(back->kind == checkpoint_kind::savepoint);
  CHECK(back->created_ms == md.created_ms);
  CHECK(back->job_name == "clicks");
  CHECK(back->max_parallelism == 64);
  CHECK(back->stats.duration_ms == 1234);
  CHECK(back->stats.size_bytes == 99);
  REQUIRE(back->operators.size() == 2);
  const auto* gen = back->find("gen");
  REQUIRE(gen);
  CHECK(gen->source);
  CHECK(!gen->keyed);
  CHECK(gen->subtasks[0].source_position == 5000u);
  CHECK(gen->has_state());
  const auto* win = back->find("per-user");
  REQUIRE(win);
  CHECK(win->keyed);
  CHECK(win->name == "per user");
  CHECK(win->kind == "window");
  CHECK(win->parallelism == 2);
  CHECK(win->subtasks[0].crc32 == 0xdeadbeef);
  CHECK(win->subtasks[1].states == std::vector<std::string>{"window-contents", "timers"});
  CHECK(!win->subtasks[1].source_position);
  CHECK(win->state_size() == 99);
  CHECK(win->alignment_ms() == 12);
  auto& timed = win->subtasks[1];
  CHECK(timed.sync_ms == 30);
  CHECK(timed.async_ms == 250);
  CHECK(timed.start_delay_ms(md.created_ms) == 400);
  CHECK(timed.end_to_end_ms(md.created_ms) == 700);
  CHECK(win->subtasks[0].start_delay_ms(md.created_ms) == 0);  // not measured
  CHECK(metadata_to_json(*back) == json);
}

TEST_CASE("checkpoint metadata: _metadata written before the timings were measured still reads") {
  // As the older build wrote it: the same JSON without the four timing fields (one per line).
  std::istringstream in(metadata_to_json(sample()));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    bool timing = false;
    for (const char* field : {"barrier_at_ms", "sync_ms", "async_ms", "acknowledged_at_ms"})
      timing = timing || line.find(std::string("\"") + field + "\"") != std::string::npos;
    if (timing) continue;
    if (line.find_first_not_of(' ') != std::string::npos &&
        line[line.find_first_not_of(' ')] == '}' && !lines.empty() && lines.back().back() == ',')
      lines.back().pop_back();  // the field before the removed ones is now the last
    lines.push_back(line);
  }
  std::string json;
  for (auto& l : lines) json += l + "\n";
  REQUIRE(json.find("sync_ms") == std::string::npos);
  auto back = metadata_from_json(json, "m");
  REQUIRE(back);
  auto& s = back->find("per-user")->subtasks[1];
  CHECK(s.alignment_ms == 12);
  CHECK(s.sync_ms == 0);
  CHECK(s.end_to_end_ms(back->created_ms) == 0);
}

TEST_CASE("checkpoint metadata: bad JSON, a missing field, a newer version are errors") {
  auto r = metadata_from_json("{not json", "chk-1/_metadata");
  REQUIRE(!r);
  CHECK(r.error().code() == errc::decode_failed);
  CHECK(r.error().message() == "chk-1/_metadata: not valid JSON");

  std::string json = metadata_to_json(sample());
  auto newer = json;
  newer.replace(newer.find("\"format_version\": 1"), 19, "\"format_version\": 2");
  CHECK(metadata_from_json(newer, "m").error().message() ==
        "m: metadata format version 2, this build reads versions 1 to 1");

  auto no_file = json;
  no_file.replace(no_file.find("\"file\""), 6, "\"fyle\"");
  CHECK(metadata_from_json(no_file, "m").error().message() ==
        "m: operators[0].subtasks[0]: missing 'file'");

  auto short_op = json;
  short_op.replace(short_op.find("\"parallelism\": 2"), 16, "\"parallelism\": 3");
  CHECK(metadata_from_json(short_op, "m").error().message() ==
        "m: operators[1]: parallelism 3 but 2 subtasks");

  auto escape = json;
  escape.replace(escape.find("\"gen-0.state\""), 13, "\"../x.state\"");
  CHECK(!metadata_from_json(escape, "m"));
}

TEST_CASE("checkpoint metadata: written atomically, a stray temporary file is ignored") {
  temp_dir dir;
  // Only a temporary file, as a crash between write and rename leaves it: incomplete.
  write_file(dir / "_metadata.tmp-0123456789ab", "{\"format_version\": 1, \"id\"");
  auto r = read_metadata_file(dir.str());
  REQUIRE(!r);
  CHECK(r.error().code() == errc::io_error);
  CHECK(r.error().message() == dir / "_metadata" + ": missing: the checkpoint is incomplete");

  REQUIRE(write_metadata_file(dir.str(), sample()));
  CHECK(read_file(dir / "_metadata") == metadata_to_json(sample()));
  auto back = read_metadata_file(dir.str());
  REQUIRE(back);
  CHECK(back->id == 42);
  // Our own write left no temporary file: the stray one is the only one.
  std::size_t temps = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.str()))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++temps;
  CHECK(temps == 1);
}
