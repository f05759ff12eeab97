// Checkpoints in whole jobs on the embedded runtime: a generator feeding keyed windows takes
// checkpoints on an interval into a real directory, and a job restored from one of them goes
// on exactly where it left off: every window it emits equals the uninterrupted run's, and its
// source reads exactly the records after the checkpoint's positions. A checkpoint still in flight
// at the end is given up and leaves no directory; one stuck past its timeout is given up and
// the next ones complete.
#include <doctest/doctest.h>

#include <filesystem>
#include <future>
#include <map>
#include <random>
#include <thread>
#include <tuple>
#include <vector>

#include "../libdataflow/io/temp_dir.hpp"
#include "dataflow/actors/local_environment.hpp"
#include "dataflow/checkpoint/loaded_checkpoint.hpp"
#include "dataflow/checkpoint/metadata_file.hpp"
#include "keyed_hit.hpp"

using namespace dataflow;
using dataflow::testing::hit;
using dataflow::testing::temp_dir;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t events = 120'000;

/// Record i: 16 keys, 2 per ms of event time, a little out of order.
record<hit> make_hit(std::uint64_t i) {
  const auto t = static_cast<timestamp>(i / 2) - static_cast<timestamp>((i * 7) % 5);
  return {hit{static_cast<int>((i * 2654435761u) % 16), static_cast<std::int64_t>(i % 100)}, t};
}

using result = window_result<int, std::tuple<std::int64_t, std::int64_t>>;
using window_key = std::pair<int, timestamp>;  // (key, window end)

struct run_outcome {
  job_result result;
  std::map<window_key, std::tuple<std::int64_t, std::int64_t>> windows;
  std::size_t duplicates = 0;
};

/// The job: generator (2 instances) -> key_by -> 1-s windows sliding by 250 ms (2 instances).
run_outcome run(const std::function<void(job_options&)>& configure, double rate) {
  local_environment env;
  env.options().threads = 2;
  env.set_parallelism(2);
  configure(env.options());
  generator_options g;
  g.count = events;
  g.rate = rate;
  g.watermarks = watermark_strategy::bounded_out_of_orderness(5);
  auto out = env.from_generator<hit>(make_hit, g, "hits")
                 .uid("hits")
                 .key_by([](const hit& h) { return h.key; })
                 .window(sliding_windows(1'000, 250))
                 .aggregate(agg::several(agg::count<hit>(), agg::sum(&hit::v)))
                 .uid("windows")
                 .collect();
  auto r = env.execute();
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  run_outcome o{*r, {}, 0};
  for (auto& w : out->values())
    if (!o.windows.emplace(window_key{w.key, w.window.end}, w.value).second) ++o.duplicates;
  return o;
}

/// Checkpoints into `dir` every `interval_ms`, keeping up to `retained` of them.
std::function<void(job_options&)> checkpoints_into(std::string dir, int interval_ms, int retained) {
  return [=](job_options& o) {
    o.checkpoints.directory = dir;
    o.checkpoints.interval = std::chrono::milliseconds(interval_ms);
    o.checkpoints.retained = retained;
  };
}

}  // namespace

TEST_CASE("a job restored from a checkpoint goes on exactly where the checkpoint was taken") {
  const auto reference = run([](job_options&) {}, 0);
  REQUIRE(reference.duplicates == 0);
  REQUIRE(reference.windows.size() > 1000);

  // State frozen for the state writer (the default), or written on the task.
  bool on_task = false;
  SUBCASE("state frozen for the state writer") {
    on_task = false;
  }
  SUBCASE("state written on the task") {
    on_task = true;
  }
  temp_dir dir;
  // At 200,000 records/s the run takes about 0.6 s; checkpoints every 50 ms.
  const auto checkpointed = run(
      [&](job_options& o) {
        checkpoints_into(dir.str(), 50, 100)(o);
        o.checkpoints.snapshot_on_task = on_task;
      },
      200'000);
  CHECK(checkpointed.windows == reference.windows);  // checkpoints change nothing
  const auto& taken = checkpointed.result.checkpoints;
  // Usually about ten; a loaded machine may complete fewer, and the first, middle and last below
  // are then partly the same.
  REQUIRE_MESSAGE(!taken.empty(), "no checkpoint completed");
  for (auto& c : taken) {
    CHECK(fs::exists(fs::path(c.directory) / "_metadata"));
    CHECK(c.size_bytes > 0);
    // Every instance's timings reached the metadata, in order, within the checkpoint's time.
    CHECK(!c.slowest.empty());
    CHECK(c.max.start_delay_ms <= c.duration_ms);
    auto md = read_metadata_file(c.directory);
    REQUIRE(md);
    for (auto& op : md->operators)
      for (auto& st : op.subtasks) {
        CAPTURE(op.uid);
        CHECK(st.barrier_at_ms >= md->created_ms);
        CHECK(st.acknowledged_at_ms >= st.barrier_at_ms);
        CHECK(st.end_to_end_ms(md->created_ms) <= c.duration_ms);
        CHECK(st.sync_ms + st.async_ms <= st.end_to_end_ms(md->created_ms));
      }
  }

  // Restore from each of a few checkpoints: the first, one in the middle, the last.
  for (auto* c : {&taken.front(), &taken[taken.size() / 2], &taken.back()}) {
    CAPTURE(c->directory);
    auto loaded = load_checkpoint(c->directory);
    REQUIRE(loaded);
    std::uint64_t read_before = 0;
    for (auto& op : loaded->metadata().operators)
      if (op.uid == "hits")
        for (auto& st : op.subtasks) read_before += st.source_position.value_or(0);
    REQUIRE(read_before < events);
    const auto restored = run([&](job_options& o) { o.restore_from = c->directory; }, 0);
    CHECK(restored.result.restored_from == c->directory);
    // The source reads exactly what the checkpoint had not read.
    CHECK(restored.result.source_records() == events - read_before);
    CHECK(restored.duplicates == 0);
    // Every window it emits is the uninterrupted run's, and per key they are the last ones:
    // those the restored windows had not fired yet.
    std::map<int, timestamp> first_end;
    for (auto& [k, v] : restored.windows) {
      auto it = reference.windows.find(k);
      REQUIRE(it != reference.windows.end());
      CHECK(v == it->second);
      auto [fe, fresh] = first_end.emplace(k.first, k.second);
      if (!fresh) fe->second = std::min(fe->second, k.second);
    }
    for (auto& [k, v] : reference.windows)
      if (first_end.count(k.first) && k.second >= first_end[k.first])
        CHECK(restored.windows.count(k) == 1);
  }
}

TEST_CASE("restoring into a job that lost a stateful operator is refused before it starts") {
  temp_dir dir;
  const auto checkpointed = run(
      [&](job_options& o) {
        o.checkpoints.directory = dir.str();
        o.checkpoints.interval = std::chrono::milliseconds(50);
      },
      200'000);
  REQUIRE_FALSE(checkpointed.result.checkpoints.empty());
  local_environment env;
  env.options().restore_from = dir.str();  // the latest checkpoint in the directory
  generator_options g;
  g.count = events;
  env.from_generator<hit>(make_hit, g, "hits")
      .uid("hits")
      .key_by([](const hit& h) { return h.key; })
      .window(sliding_windows(1'000, 250))
      .aggregate(agg::count<hit>())
      .uid("renamed windows")
      .collect();
  auto r = env.execute();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == errc::invalid_configuration);
  CHECK(r.error().to_string().find("windows") != std::string::npos);
}

TEST_CASE("a checkpoint in flight when the job ends leaves no directory behind") {
  // With a checkpoint every millisecond one is nearly always in flight when the first source
  // finishes; it is given up then, while the state writer may still be writing its files.
  std::size_t given_up = 0;
  for (int attempt = 0; attempt < 4; ++attempt) {
    temp_dir dir;
    const auto r = run(checkpoints_into(dir.str(), 1, 1000), 0);
    for (auto& reason : r.result.checkpoints_aborted) {
      CAPTURE(reason);
      const auto name = reason.substr(0, reason.find(':'));
      CHECK_FALSE(fs::exists(fs::path(dir.str()) / name));
      ++given_up;
    }
    // Every directory left is a complete checkpoint.
    for (auto& e : fs::directory_iterator(dir.str())) {
      CAPTURE(e.path());
      if (e.is_directory()) CHECK(fs::exists(e.path() / "_metadata"));
    }
  }
  CHECK_MESSAGE(given_up >= 1, "no checkpoint was in flight at the end of 4 runs");
}

TEST_CASE("a checkpoint stuck behind a blocked operator expires, and later ones complete") {
  // The map waits on a gate from its first record, so the barrier of the checkpoint in flight
  // cannot pass; the test opens the gate once the job reports that checkpoint given up.
  temp_dir dir;
  local_environment env;
  env.options().threads = 2;
  env.options().checkpoints.directory = dir.str();
  env.options().checkpoints.interval = std::chrono::milliseconds(20);
  env.options().checkpoints.timeout = std::chrono::milliseconds(200);
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  generator_options g;
  g.count = 20'000;
  g.rate = 20'000;  // about 1 s after the gate opens
  auto out = env.from_generator<hit>(make_hit, g, "hits")
                 .uid("hits")
                 .map(
                     [open](const hit& h) {
                       open.wait();
                       return h;
                     },
                     "gate")
                 .collect();
  auto job = env.execute_async();
  REQUIRE(job);
  bool expired = false;
  for (int i = 0; i < 1000 && !expired; ++i) {  // at most 10 s
    auto s = (*job)->current_status();
    REQUIRE(s);
    expired = s->checkpoints_aborted >= 1;
    if (!expired) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  gate.set_value();
  REQUIRE_MESSAGE(expired, "no checkpoint was given up within 10 s");
  auto r = (*job)->wait();
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  REQUIRE_FALSE(r->checkpoints_aborted.empty());
  CHECK(r->checkpoints_aborted.front().find(": expired after ") != std::string::npos);
  CHECK(r->checkpoints_aborted.front().find("(timeout 200 ms)") != std::string::npos);
  // The expired one held nothing back: later checkpoints completed.
  CHECK_MESSAGE(!r->checkpoints.empty(), "no checkpoint completed after the expiry");
  CHECK(out->values().size() == g.count);
}
