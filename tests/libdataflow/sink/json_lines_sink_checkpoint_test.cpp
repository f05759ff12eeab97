// The JSON-lines file sink's two-phase commit over real files: output stays in hidden pending
// parts until its checkpoint completes; a restore publishes what its checkpoint sealed, deletes
// later output and numbers parts on; a crash at any point followed by a restore (and a replay
// of the input from the checkpoint) gives exactly the output of an uninterrupted run.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>

#include "../io/temp_dir.hpp"
#include "dataflow/sink/json_lines_sink.hpp"

using namespace dataflow;
using dataflow::testing::read_lines;
using dataflow::testing::temp_dir;

namespace {

using sink_t = json_lines_sink_function<row>;

std::vector<record<row>> rows(int from, int to) {
  std::vector<record<row>> out;
  for (int i = from; i < to; ++i) out.push_back({row{{"i", i}}, i});
  return out;
}

std::vector<std::string> lines(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(R"({"i":)" + std::to_string(i) + "}");
  return out;
}

operator_info instance(bool checkpointing, int subtask = 0, int parallelism = 1) {
  operator_info info;
  info.name = "sink";
  info.subtask = subtask;
  info.parallelism = parallelism;
  info.checkpointing = checkpointing;
  return info;
}

/// The names of the files in `dir` (not recursive) that are hidden (or not), sorted.
std::vector<std::string> names(const std::string& dir, bool hidden) {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    auto n = e.path().filename().string();
    if ((n[0] == '.') == hidden) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// The lines of the visible files in `dir`, in name order (how a reader of the output sees it).
std::vector<std::string> visible_lines(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& n : names(dir, false))
    for (auto& l : read_lines(dir + "/" + n)) out.push_back(l);
  return out;
}

std::string snapshot_of(const sink_t& s) {
  std::string bytes;
  REQUIRE(s.snapshot(bytes));
  return bytes;
}

}  // namespace

TEST_CASE("json lines sink checkpoint: parts become visible when their checkpoint completes") {
  temp_dir dir;
  json_sink_options o;
  o.path = dir / "out/r.jsonl";
  auto sink = std::make_unique<sink_t>(o);
  sink->open(instance(true));
  sink->write(rows(0, 3));
  sink->on_barrier(1);
  auto s1 = snapshot_of(*sink);
  sink->write(rows(3, 6));
  sink->on_barrier(2);
  auto s2 = snapshot_of(*sink);
  CHECK(names(dir / "out", false).empty());
  CHECK(names(dir / "out", true) ==
        std::vector<std::string>{".r.part00000.jsonl.inprogress", ".r.part00001.jsonl.inprogress"});

  sink->notify_checkpoint_complete(1);
  CHECK(names(dir / "out", false) == std::vector<std::string>{"r.part00000.jsonl"});
  CHECK(visible_lines(dir / "out") == lines(0, 3));
  sink->write(rows(6, 8));  // after barrier 2: part 2, lost in the crash below
  CHECK(names(dir / "out", true).size() == 2);
  sink.reset();  // the crash: checkpoint 2 completed, but its notification never came

  SUBCASE("restored from checkpoint 2, its parts are published and later output deleted") {
    sink = std::make_unique<sink_t>(o);
    REQUIRE(sink->restore(s2));
    sink->open(instance(true));
    CHECK(names(dir / "out", false) ==
          std::vector<std::string>{"r.part00000.jsonl", "r.part00001.jsonl"});
    CHECK(names(dir / "out", true).empty());
    CHECK(visible_lines(dir / "out") == lines(0, 6));
    sink->write(rows(6, 10));  // the replay from checkpoint 2 on
    sink->on_barrier(3);
    CHECK(names(dir / "out", true) == std::vector<std::string>{".r.part00002.jsonl.inprogress"});
    sink->notify_checkpoint_complete(3);
    sink->write(rows(10, 11));
    sink->close();  // the end of input commits the last part
    CHECK(names(dir / "out", false) ==
          std::vector<std::string>{"r.part00000.jsonl", "r.part00001.jsonl", "r.part00002.jsonl",
                                   "r.part00003.jsonl"});
    CHECK(names(dir / "out", true).empty());
    CHECK(visible_lines(dir / "out") == lines(0, 11));
  }
  SUBCASE("restored from checkpoint 1, part 1 is deleted and written again") {
    sink = std::make_unique<sink_t>(o);
    REQUIRE(sink->restore(s1));
    sink->open(instance(true));
    CHECK(names(dir / "out", true).empty());
    CHECK(visible_lines(dir / "out") == lines(0, 3));
    sink->write(rows(3, 8));
    sink->close();
    CHECK(names(dir / "out", false) ==
          std::vector<std::string>{"r.part00000.jsonl", "r.part00001.jsonl"});
    CHECK(visible_lines(dir / "out") == lines(0, 8));
  }
}

TEST_CASE("json lines sink checkpoint: a crash anywhere then a restore gives one run's output") {
  // The input is 40 records in batches of 3; a barrier follows every second batch, and its
  // snapshot remembers how many records preceded it (the source's position). The run crashes
  // after batch `crash`; checkpoints complete `lag` barriers late, so the last completed one's
  // notification, and maybe more, are lost. The next run restores the last completed
  // checkpoint, replays the input from its position, and ends.
  constexpr int total = 40, per_batch = 3;
  for (std::uint64_t roll : {0, 40}) {  // 40 bytes: about three lines per part
    for (int lag : {0, 1}) {
      for (int crash = 0; crash <= (total + per_batch - 1) / per_batch; ++crash) {
        CAPTURE(roll);
        CAPTURE(lag);
        CAPTURE(crash);
        temp_dir dir;
        json_sink_options o;
        o.path = dir / "r.jsonl";
        o.roll_bytes = roll;
        struct checkpoint {
          std::int64_t id;
          int position;
          std::string bytes;
        };
        std::vector<checkpoint> taken;
        std::optional<checkpoint> completed;
        {
          sink_t sink(o);
          sink.open(instance(true, 1, 2));
          int pos = 0;
          for (int b = 0; b < crash && pos < total; ++b) {
            int to = std::min(total, pos + per_batch);
            sink.write(rows(pos, to));
            pos = to;
            if (b % 2 == 1) {
              auto id = static_cast<std::int64_t>(taken.size()) + 1;
              sink.on_barrier(id);
              taken.push_back({id, pos, snapshot_of(sink)});
              if (taken.size() > static_cast<std::size_t>(lag)) {
                completed = taken[taken.size() - 1 - static_cast<std::size_t>(lag)];
                // The newest completed checkpoint's notification is lost in the crash.
                if (completed->id > 1) sink.notify_checkpoint_complete(completed->id - 1);
              }
            }
          }
          if (pos == total) continue;  // not a crash: the input ended first
        }
        sink_t sink(o);
        if (completed) REQUIRE(sink.restore(completed->bytes));
        sink.open(instance(true, 1, 2));
        sink.write(rows(completed ? completed->position : 0, total));
        sink.close();
        CHECK(names(dir.str(), true).empty());
        CHECK(visible_lines(dir.str()) == lines(0, total));
        for (auto& n : names(dir.str(), false)) CHECK(n.rfind("r-1.part", 0) == 0);
      }
    }
  }
}

TEST_CASE("json lines sink checkpoint: without checkpoints files have their names at once") {
  temp_dir dir;
  json_sink_options o;
  o.path = dir / "r.jsonl";
  sink_t sink(o);
  sink.open(instance(false));
  sink.write(rows(0, 2));
  sink.on_barrier(1);  // only flushes
  CHECK(read_lines(dir / "r.jsonl") == lines(0, 2));
  CHECK(snapshot_of(sink).empty());
  sink.notify_checkpoint_complete(1);
  sink.write(rows(2, 3));
  sink.close();
  CHECK(names(dir.str(), false) == std::vector<std::string>{"r.jsonl"});
  CHECK(names(dir.str(), true).empty());
  CHECK(read_lines(dir / "r.jsonl") == lines(0, 3));

  sink_t restored(o);  // an empty snapshot restores nothing and changes nothing
  REQUIRE(restored.restore(""));
  restored.open(instance(false));
  restored.close();
  CHECK(names(dir.str(), false) == std::vector<std::string>{"r.jsonl"});
}

TEST_CASE("json lines sink checkpoint: lost output and misuse are errors, not silence") {
  temp_dir dir;
  json_sink_options o;
  o.path = dir / "r.jsonl";
  std::string bytes;
  {
    sink_t sink(o);
    sink.open(instance(true));
    sink.write(rows(0, 2));
    std::string early;
    auto s = sink.snapshot(early);  // no barrier first: the open part has no checkpoint
    CHECK(s.code() == errc::operator_failed);
    sink.on_barrier(1);
    bytes = snapshot_of(sink);
  }
  std::filesystem::remove(dir / ".r.part00000.jsonl.inprogress");
  sink_t sink(o);
  REQUIRE(sink.restore(bytes));
  CHECK_THROWS_WITH_AS(sink.open(instance(true)),
                       doctest::Contains("output of a checkpoint is lost"), std::runtime_error);
  sink_t other(o);
  CHECK(other.restore(bytes.substr(0, 3)).code() == errc::decode_failed);
}
