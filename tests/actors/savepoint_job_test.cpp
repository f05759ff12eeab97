// Savepoints of running jobs on the embedded runtime: trigger_savepoint while periodic
// checkpoints run (and retention deletes them), stop_with_savepoint with exactly-once file
// sinks, and the errors. A generator rate-limited in processing time keeps each job running
// while the test acts; the test waits for the records the generator has made, never a time.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
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

// The JSON-lines sink finds it by argument-dependent lookup, so it goes in hit's namespace.
namespace dataflow::testing {
void append_json_line(std::string& out, const hit& h) {
  out += "{\"key\":" + std::to_string(h.key) + ",\"v\":" + std::to_string(h.v) + "}\n";
}
}  // namespace dataflow::testing

using namespace dataflow;
using dataflow::testing::hit;
using dataflow::testing::temp_dir;
namespace fs = std::filesystem;

namespace {

/// One window's result as a line of output.
struct window_line {
  int key = 0;
  timestamp end = 0;
  std::int64_t count = 0, sum = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(key, end, count, sum);
  }
};

void append_json_line(std::string& out, const window_line& w) {
  out += "{\"key\":" + std::to_string(w.key) + ",\"end\":" + std::to_string(w.end) +
         ",\"count\":" + std::to_string(w.count) + ",\"sum\":" + std::to_string(w.sum) + "}\n";
}

/// Record i: 16 keys, 2 per ms of event time, a little out of order (never late).
record<hit> make_hit(std::uint64_t i) {
  const auto t = static_cast<timestamp>(i / 2) - static_cast<timestamp>((i * 7) % 5);
  return {hit{static_cast<int>((i * 2654435761u) % 16), static_cast<std::int64_t>(i)}, t};
}

using result = window_result<int, std::tuple<std::int64_t, std::int64_t>>;
using window_key = std::pair<int, timestamp>;  // (key, window end)
using windows = std::map<window_key, std::tuple<std::int64_t, std::int64_t>>;

/// Waits (at most 60 s) until the generator has made `n` records; false if the job ended or
/// the time ran out first.
bool wait_for_records(job_handle& job, const std::atomic<std::uint64_t>& made, std::uint64_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (made.load() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (job.wait_for(std::chrono::milliseconds(2))) return false;
  }
  return true;
}

/// The generator (2 instances, `count` records at `rate` per second) into 100-ms tumbling
/// windows per key (count and sum), collected in memory.
struct window_job {
  local_environment env;
  std::shared_ptr<std::atomic<std::uint64_t>> made = std::make_shared<std::atomic<std::uint64_t>>();
  std::shared_ptr<collected<result>> out;

  window_job(std::uint64_t count, double rate) {
    env.options().threads = 2;
    env.set_parallelism(2);
    generator_options g;
    g.count = count;
    g.rate = rate;
    g.watermarks = watermark_strategy::bounded_out_of_orderness(5);
    g.produced = made;
    out = env.from_generator<hit>(make_hit, g, "hits")
              .uid("hits")
              .key_by([](const hit& h) { return h.key; })
              .window(tumbling_windows(100))
              .aggregate(agg::several(agg::count<hit>(), agg::sum(&hit::v)))
              .uid("windows")
              .collect();
  }

  windows emitted(std::size_t* duplicates = nullptr) const {
    windows w;
    for (auto& r : out->values())
      if (!w.emplace(window_key{r.key, r.window.end}, r.value).second && duplicates) ++*duplicates;
    return w;
  }
};

/// The lines of every committed (not hidden) file in `dir` whose name starts with `prefix`,
/// sorted.
std::vector<std::string> committed_lines(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> lines;
  if (!fs::exists(dir)) return lines;
  for (auto& e : fs::directory_iterator(dir)) {
    auto name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::size_t hidden_files(const fs::path& dir) {
  std::size_t n = 0;
  if (!fs::exists(dir)) return n;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().front() == '.') ++n;
  return n;
}

constexpr std::uint64_t events = 120'000;

}  // namespace

TEST_CASE(
    "a savepoint of a running job restores to the uninterrupted run, and outlives retention") {
  window_job reference(events, 0);
  REQUIRE(reference.env.execute());
  std::size_t dups = 0;
  const auto expected = reference.emitted(&dups);
  REQUIRE(dups == 0);
  REQUIRE(expected.size() > 500);

  // Checkpoints every 20 ms keeping 1, so a savepoint is likely to be asked for while one is
  // in flight (it then waits for it), and retention runs many times after the savepoint.
  temp_dir dir;
  window_job running(events, 40'000);  // about 3 s
  running.env.options().checkpoints.directory = dir / "ck";
  running.env.options().checkpoints.interval = std::chrono::milliseconds(20);
  running.env.options().checkpoints.retained = 1;
  auto job = running.env.execute_async();
  REQUIRE(job);
  REQUIRE(wait_for_records(**job, *running.made, events / 10));
  auto status = (*job)->current_status();
  REQUIRE(status);
  CHECK(status->state == job_state::running);
  CHECK(status->checkpoint_directory == dir / "ck");

  auto savepoint = (*job)->trigger_savepoint();
  REQUIRE_MESSAGE(savepoint, savepoint.error().to_string());
  auto target = (*job)->trigger_savepoint(dir / "kept/here");
  REQUIRE_MESSAGE(target, target.error().to_string());
  CHECK(*target == dir / "kept/here");
  CHECK(fs::path(*savepoint).parent_path() == fs::path(dir / "ck"));
  CHECK(fs::path(*savepoint).filename().string().rfind("savepoint-", 0) == 0);
  status = (*job)->current_status();
  REQUIRE(status);
  CHECK(status->savepoints_completed == 2);
  CHECK(status->latest_savepoint == *target);

  auto r = (*job)->wait();
  REQUIRE(r);
  CHECK(running.emitted() == expected);  // savepoints change nothing
  std::size_t savepoints = 0, checkpoints = 0;
  for (auto& c : r->checkpoints) (c.savepoint ? savepoints : checkpoints) += 1;
  CHECK(savepoints == 2);
  REQUIRE_MESSAGE(checkpoints >= 3, "checkpoints completed: " << checkpoints);
  CHECK((*job)->current_status()->state == job_state::finished);
  CHECK((*job)->trigger_savepoint().error().code() == errc::not_running);

  // Retention kept one complete checkpoint, and both savepoints. (Counted by _metadata: under
  // heavy load a checkpoint in flight when the job ended was once seen to leave its directory
  // behind, incomplete; restores skip those. To be found.)
  std::size_t chk_dirs = 0;
  for (auto& e : fs::directory_iterator(dir / "ck"))
    if (e.path().filename().string().rfind("chk-", 0) == 0 && fs::exists(e.path() / "_metadata"))
      ++chk_dirs;
  CHECK(chk_dirs == 1);
  for (auto& path : {*savepoint, *target}) {
    auto md = read_metadata_file(path);
    REQUIRE_MESSAGE(md, path);
    CHECK(md->kind == checkpoint_kind::savepoint);
  }

  // Restored from either savepoint, the job reads exactly what the savepoint had not read and
  // emits exactly the uninterrupted run's windows that had not fired.
  for (auto& path : {*savepoint, *target}) {
    CAPTURE(path);
    auto loaded = load_checkpoint(path);
    REQUIRE(loaded);
    std::uint64_t read_before = 0;
    for (auto& op : loaded->metadata().operators)
      if (op.uid == "hits")
        for (auto& st : op.subtasks) read_before += st.source_position.value_or(0);
    CHECK(read_before >= events / 10);
    CHECK(read_before < events);
    window_job restored(events, 0);
    restored.env.options().restore_from = path;
    auto rr = restored.env.execute();
    REQUIRE(rr);
    CHECK(rr->restored_from == path);
    CHECK(rr->source_records() == events - read_before);
    dups = 0;
    auto got = restored.emitted(&dups);
    CHECK(dups == 0);
    std::map<int, timestamp> first_end;
    for (auto& [k, v] : got) {
      auto it = expected.find(k);
      REQUIRE(it != expected.end());
      CHECK(v == it->second);
      auto [fe, fresh] = first_end.emplace(k.first, k.second);
      if (!fresh) fe->second = std::min(fe->second, k.second);
    }
    for (auto& [k, v] : expected)
      if (first_end.count(k.first) && k.second >= first_end[k.first]) CHECK(got.count(k) == 1);
  }
}

namespace {

/// The generator copied to one exactly-once file sink and, through 100-ms windows, to another.
struct file_job {
  local_environment env;
  std::shared_ptr<std::atomic<std::uint64_t>> made = std::make_shared<std::atomic<std::uint64_t>>();

  file_job(const fs::path& out, std::uint64_t count, double rate) {
    env.options().threads = 2;
    env.set_parallelism(2);
    generator_options g;
    g.count = count;
    g.rate = rate;
    g.watermarks = watermark_strategy::bounded_out_of_orderness(5);
    g.produced = made;
    auto hits = env.from_generator<hit>(make_hit, g, "hits").uid("hits");
    json_sink_options copy, lines;
    copy.path = (out / "copy.jsonl").string();
    lines.path = (out / "windows.jsonl").string();
    hits.sink_to_json_lines(copy, "copy").uid("copy");
    hits.key_by([](const hit& h) { return h.key; })
        .window(tumbling_windows(100))
        .aggregate(agg::several(agg::count<hit>(), agg::sum(&hit::v)))
        .uid("windows")
        .map([](const result& w) {
          return window_line{w.key, w.window.end, std::get<0>(w.value), std::get<1>(w.value)};
        })
        .uid("lines")
        .sink_to_json_lines(lines, "windows out")
        .uid("windows-out");
  }
};

}  // namespace

TEST_CASE("stop with a savepoint: committed output plus the restored run's is the whole run") {
  constexpr std::uint64_t n = 200'000;
  temp_dir dir;
  file_job reference(dir / "ref", n, 0);
  REQUIRE(reference.env.execute());
  const auto ref_copy = committed_lines(dir / "ref", "copy");
  const auto ref_windows = committed_lines(dir / "ref", "windows");
  REQUIRE(ref_copy.size() == n);
  REQUIRE(ref_windows.size() > 1000);

  // Savepoints only: a checkpoint directory without an interval, so sinks commit in two
  // phases, at the savepoint.
  file_job stopped(dir / "out", n, 50'000);  // about 4 s
  stopped.env.options().checkpoints.directory = dir / "ck";
  auto job = stopped.env.execute_async();
  REQUIRE(job);
  REQUIRE(wait_for_records(**job, *stopped.made, n / 5));
  auto savepoint = (*job)->stop_with_savepoint();
  REQUIRE_MESSAGE(savepoint, savepoint.error().to_string());
  CHECK(*savepoint == dir / "ck/savepoint-1");
  REQUIRE((*job)->wait_for(std::chrono::seconds(0)));  // it returns once the job has ended
  auto r = (*job)->wait();
  REQUIRE(r);
  CHECK(r->stop_savepoint == *savepoint);
  CHECK_FALSE(r->cancelled);
  CHECK((*job)->current_status()->state == job_state::stopped);
  CHECK((*job)->stop_with_savepoint().error().code() == errc::not_running);
  auto md = read_metadata_file(*savepoint);
  REQUIRE(md);
  CHECK(md->kind == checkpoint_kind::savepoint);

  // What the stopped job committed is what its sources read before the savepoint.
  auto copy = committed_lines(dir / "out", "copy");
  auto lines = committed_lines(dir / "out", "windows");
  std::uint64_t read_before = 0;
  for (auto& op : md->operators)
    if (op.uid == "hits")
      for (auto& st : op.subtasks) read_before += st.source_position.value_or(0);
  CHECK(copy.size() == read_before);
  CHECK(read_before >= n / 5);
  CHECK(read_before < n);
  CHECK(lines.size() < ref_windows.size());
  job->reset();  // its actors are gone before the restored job opens the same files

  // Restored from the savepoint, the job writes the rest: together exactly the whole run.
  file_job restored(dir / "out", n, 0);
  restored.env.options().restore_from = *savepoint;
  restored.env.options().checkpoints.directory = dir / "ck";
  auto rr = restored.env.execute();
  REQUIRE_MESSAGE(rr, rr.error().to_string());
  CHECK(rr->source_records() == n - read_before);
  CHECK(hidden_files(dir / "out") == 0);
  CHECK(committed_lines(dir / "out", "copy") == ref_copy);
  CHECK(committed_lines(dir / "out", "windows") == ref_windows);
}

TEST_CASE("a savepoint without a checkpoint directory needs a target") {
  temp_dir dir;
  window_job running(events, 60'000);
  auto job = running.env.execute_async();
  REQUIRE(job);
  REQUIRE(wait_for_records(**job, *running.made, events / 10));
  auto refused = (*job)->trigger_savepoint();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == errc::invalid_configuration);
  CHECK(refused.error().message().find("no checkpoint directory") != std::string::npos);
  auto stop_refused = (*job)->stop_with_savepoint();
  REQUIRE_FALSE(stop_refused);
  CHECK(stop_refused.error().code() == errc::invalid_configuration);
  auto taken = (*job)->trigger_savepoint(dir / "sp");
  REQUIRE_MESSAGE(taken, taken.error().to_string());
  auto md = read_metadata_file(*taken);
  REQUIRE(md);
  CHECK(md->kind == checkpoint_kind::savepoint);
  // A target that is not empty is refused, and the job goes on.
  auto again = (*job)->trigger_savepoint(dir / "sp");
  REQUIRE_FALSE(again);
  CHECK(again.error().message().find("already exists") != std::string::npos);
  CHECK((*job)->current_status()->state == job_state::running);
  auto r = (*job)->wait();
  REQUIRE(r);  // the refused stop did not stop it
  CHECK_FALSE(r->cancelled);
  CHECK(r->source_records() == events);
}
