// Restoring whole jobs at another parallelism on the embedded runtime: keyed windows, an
// interval join and a keyed process function with timers, fed by sources that read splits
// (the splits source, and JSON-lines files), take checkpoints at parallelism 2 (or 1) into a
// real directory and are restored from the first, a middle and the last checkpoint at
// parallelism 1 (or 2). The sink (one instance) records where each checkpoint's barrier
// passed, so the output of the checkpointed run up to that barrier plus the output of the
// restored run must be exactly the output of an uninterrupted run: nothing lost, nothing twice.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "dataflow/actors/local_environment.hpp"
#include "dataflow/checkpoint/loaded_checkpoint.hpp"

using namespace dataflow;
namespace fs = std::filesystem;

namespace {

struct hit {
  int key = 0;
  std::int64_t v = 0;
  int id = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(key, v, id);
  }
};

constexpr int splits = 4;
constexpr int id_stride = 1'000'000;           // record i of split s has id s * id_stride + i
constexpr duration_ms split_span = 1'000'000;  // JSON-lines file f starts at f * split_span

/// Record i of split s: 16 keys, one record per 2 ms of event time in each split, a little
/// out of order (by at most 4 ms). Splits run side by side in event time; as
/// JSON-lines files (rolled logs) file s comes after file s - 1.
record<hit> make_hit(int s, int i, bool rolled) {
  const auto t = static_cast<timestamp>(i) * 2 - (i * 7 + s) % 5 + (rolled ? s * split_span : 0);
  const auto h = static_cast<std::uint32_t>(i) * 2654435761u + static_cast<std::uint32_t>(s);
  return {hit{static_cast<int>(h % 16), (i + s) % 100, s * id_stride + i}, t};
}

enum class source_kind { splits, json_lines };

/// Records per split: enough for the checkpointed run to take several checkpoints.
int per_split(source_kind kind) {
  return kind == source_kind::splits ? 100'000 : 60'000;
}

struct temp_dir {
  fs::path path;
  explicit temp_dir(const fs::path& in = fs::temp_directory_path()) {
    std::random_device rd;
    path = in / ("dataflow-rescale-test-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
};

/// Where checkpoints go: in memory (tmpfs) where there is one, since each checkpoint fsyncs
/// every file and a busy disk would let a short run complete only one or two.
fs::path checkpoint_root() {
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec)) return "/dev/shm";
  return fs::temp_directory_path();
}

/// The input as JSON-lines files, one per split.
void write_files(const fs::path& dir) {
  fs::create_directories(dir);
  for (int s = 0; s < splits; ++s) {
    std::ofstream f(dir / ("part" + std::to_string(s) + ".jsonl"));
    for (int i = 0; i < per_split(source_kind::json_lines); ++i) {
      auto r = make_hit(s, i, true);
      f << R"({"ts":)" << r.ts << R"(,"key":)" << r.value.key << R"(,"v":)" << r.value.v
        << R"(,"id":)" << r.value.id << "}\n";
    }
  }
}

data_stream<hit> source(local_environment& env, source_kind kind, const fs::path& files) {
  // Watermarks lag 300 ms, far more than the disorder: at a checkpoint, state holds many
  // windows, buckets and timers whose records have all been read.
  const auto ws = watermark_strategy::bounded_out_of_orderness(300);
  if (kind == source_kind::splits) {
    std::vector<std::vector<record<hit>>> data(splits);
    for (int s = 0; s < splits; ++s)
      for (int i = 0; i < per_split(kind); ++i)
        data[static_cast<std::size_t>(s)].push_back(make_hit(s, i, false));
    return env.from_splits<hit>(std::move(data), ws, "hits").uid("hits");
  }
  json_source_options o;
  o.path = files.string();
  o.parse.timestamp_field = "ts";
  o.watermarks = ws;
  static const auto key = field_id::of("key"), v = field_id::of("v"), id = field_id::of("id");
  auto rows = env.from_json_lines(o, "hits");
  return rows.uid("hits").map(
      [](const row& r) {
        return hit{static_cast<int>(r.get(key).as_int()), r.get(v).as_int(),
                   static_cast<int>(r.get(id).as_int())};
      },
      "parse");
}

/// Builds the job on `hits` and returns what its one-instance sink collects.
template <class Out>
using job_builder = std::function<data_stream<Out>(data_stream<hit>)>;

template <class Out>
struct run_outcome {
  job_result result;
  std::vector<typename collected<Out>::event> events;
};

template <class Out>
run_outcome<Out> run(const job_builder<Out>& build, source_kind kind, const fs::path& files,
                     int parallelism, const std::function<void(job_options&)>& configure) {
  local_environment env;
  env.options().threads = 2;
  env.set_parallelism(parallelism);
  configure(env.options());
  auto into = std::make_shared<collected<Out>>();
  build(source(env, kind, files))
      .sink_to([into] { return std::make_unique<collect_sink_function<Out>>(into); }, "collect")
      .set_parallelism(1);
  auto r = env.execute();
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  return {*r, into->events()};
}

/// The records among `events`, all of them or those before the barrier of `checkpoint`.
template <class Out>
std::vector<Out> outputs_of(const std::vector<typename collected<Out>::event>& events,
                            std::int64_t checkpoint = -1) {
  std::vector<Out> out;
  for (auto& e : events) {
    if (auto* b = std::get_if<typename collected<Out>::barrier_mark>(&e);
        b && b->checkpoint == checkpoint)
      return out;
    if (auto* r = std::get_if<record<Out>>(&e)) out.push_back(r->value);
  }
  REQUIRE_MESSAGE(checkpoint < 0, "no barrier of checkpoint " << checkpoint << " at the sink");
  return out;
}

template <class Out>
std::vector<Out> sorted(std::vector<Out> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::string describe(const std::tuple<int, timestamp, std::int64_t, std::int64_t>& t) {
  return "(key " + std::to_string(std::get<0>(t)) + ", end " + std::to_string(std::get<1>(t)) +
         ", n " + std::to_string(std::get<2>(t)) + ", sum " + std::to_string(std::get<3>(t)) + ")";
}
std::string describe(const std::pair<int, int>& p) {
  return "(" + std::to_string(p.first) + ", " + std::to_string(p.second) + ")";
}

/// The first few results in which two sorted outputs differ, for the failure message.
template <class Out>
std::string difference(const std::vector<Out>& got, const std::vector<Out>& want) {
  std::vector<Out> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  std::string out = std::to_string(missing.size()) + " missing, " + std::to_string(extra.size()) +
                    " extra (or twice):";
  for (std::size_t i = 0; i < missing.size() && i < 3; ++i) out += " -" + describe(missing[i]);
  for (std::size_t i = 0; i < extra.size() && i < 3; ++i) out += " +" + describe(extra[i]);
  return out;
}

/// Checks that `got` (sorted) is `want` (sorted), saying how they differ.
template <class Out>
void check_same(const std::vector<Out>& got, const std::vector<Out>& want,
                const std::string& what) {
  CHECK_MESSAGE(got == want, what << ": " << difference(got, want));
}

/// Runs the job uninterrupted at `from` and at `to` (the same output: no record is late at
/// either), then with checkpoints at `from`, and restores from its first, a middle and the
/// last checkpoint at `to`: what the checkpointed run emitted before the checkpoint's barrier
/// plus what the restored run emits must be the uninterrupted output.
template <class Out>
void check_rescale(const job_builder<Out>& build, source_kind kind, int from, int to) {
  CAPTURE(from);
  CAPTURE(to);
  temp_dir dir;
  if (kind == source_kind::json_lines) write_files(dir.path / "in");
  const auto files = dir.path / "in";
  auto none = [](job_options&) {};
  const auto reference = sorted(outputs_of<Out>(run(build, kind, files, from, none).events));
  REQUIRE(reference.size() > 1000);
  check_same(sorted(outputs_of<Out>(run(build, kind, files, to, none).events)), reference,
             "uninterrupted at the other parallelism");

  // With checkpoints every 5 ms, in small batches so that the run takes long enough for
  // several (the output is the same with any batch size); smaller still if a busy machine
  // completed fewer than three.
  temp_dir checkpoints(checkpoint_root());
  run_outcome<Out> checkpointed;
  for (int batch : {8, 4, 2}) {
    fs::remove_all(checkpoints.path);
    fs::create_directories(checkpoints.path);
    checkpointed = run(build, kind, files, from, [&](job_options& o) {
      o.checkpoints.directory = checkpoints.path.string();
      o.checkpoints.interval = std::chrono::milliseconds(5);
      o.checkpoints.retained = 1000;
      o.channels.batch_size = static_cast<std::size_t>(batch);
      o.channels.credits = 2;
    });
    if (checkpointed.result.checkpoints.size() >= 3) break;
  }
  check_same(sorted(outputs_of<Out>(checkpointed.events)), reference, "with checkpoints");
  const auto& taken = checkpointed.result.checkpoints;
  REQUIRE_MESSAGE(taken.size() >= 3, "checkpoints completed: " << taken.size());
  for (auto* c : {&taken.front(), &taken[taken.size() / 2], &taken.back()}) {
    CAPTURE(c->directory);
    auto before = outputs_of<Out>(checkpointed.events, c->id);
    const auto restored =
        run(build, kind, files, to, [&](job_options& o) { o.restore_from = c->directory; });
    CHECK(restored.result.restored_from == c->directory);
    // The sources read exactly what the old instances had not read, whichever split moved.
    auto loaded = load_checkpoint(c->directory);
    REQUIRE(loaded);
    std::uint64_t read_before = 0;
    for (auto& st : loaded->metadata().find("hits")->subtasks)
      read_before += st.source_position.value_or(0);
    CHECK(restored.result.source_records() ==
          static_cast<std::uint64_t>(splits * per_split(kind)) - read_before);
    auto after = outputs_of<Out>(restored.events);
    CHECK(!after.empty());
    MESSAGE("checkpoint " << c->id << ": " << before.size() << " results before, " << after.size()
                          << " after");
    before.insert(before.end(), after.begin(), after.end());
    check_same(sorted(std::move(before)), reference, "before the barrier and restored");
  }
}

// -- the three jobs ---------------------------------------------------------------------------

using window_out = std::tuple<int, timestamp, std::int64_t, std::int64_t>;  // key, end, n, sum

data_stream<window_out> windows(data_stream<hit> hits) {
  return hits.key_by([](const hit& h) { return h.key; })
      .window(sliding_windows(1'000, 250))
      .aggregate(agg::several(agg::count<hit>(), agg::sum(&hit::v)))
      .uid("windows")
      .map([](const window_result<int, std::tuple<std::int64_t, std::int64_t>>& w) {
        return window_out{w.key, w.window.end, std::get<0>(w.value), std::get<1>(w.value)};
      });
}

using join_out = std::pair<int, int>;  // left id, right id

data_stream<join_out> joins(data_stream<hit> hits) {
  // Left: the records of even splits; right: of odd ones. A key comes round every 32 ms in a
  // split, 2 ms apart between neighbouring splits.
  auto left = hits.filter([](const hit& h) { return h.id / id_stride % 2 == 0; });
  auto right = hits.filter([](const hit& h) { return h.id / id_stride % 2 == 1; });
  return left.key_by([](const hit& h) { return h.key; })
      .interval_join(right.key_by([](const hit& h) { return h.key; }))
      .between(-6, 4)
      .process<join_out>([](const hit& l, const hit& r) {
        return join_out{l.id, r.id};
      })
      .uid("join");
}

using bucket_out = std::tuple<int, timestamp, std::int64_t, std::int64_t>;  // key, end, n, sum

/// Counts and sums per key in 100-ms buckets, emitted by an event-time timer at the bucket's
/// end. Its states are declared on first use, after a restore: a count per open bucket, and
/// the sum of the buckets' values (both by bucket end).
struct bucket_counts final : keyed_process_function<int, hit, bucket_out> {
  void process_element(const hit& h, context& ctx) override {
    const timestamp end = ctx.ts() - (ctx.ts() % 100 + 100) % 100 + 100;
    auto& n = ctx.state().map<timestamp, std::int64_t>("n");
    auto& sum = ctx.state().map<timestamp, std::int64_t>("sum");
    n.put(end, (n.get(end) ? *n.get(end) : 0) + 1);
    sum.put(end, (sum.get(end) ? *sum.get(end) : 0) + h.v);
    ctx.register_event_time_timer(end - 1);
  }
  void on_timer(timestamp t, time_domain, context& ctx) override {
    auto& n = ctx.state().map<timestamp, std::int64_t>("n");
    auto& sum = ctx.state().map<timestamp, std::int64_t>("sum");
    const timestamp end = t + 1;
    ctx.output(bucket_out{ctx.current_key(), end, n.get(end) ? *n.get(end) : -1,
                          sum.get(end) ? *sum.get(end) : -1});
    n.remove(end);
    sum.remove(end);
  }
};

data_stream<bucket_out> buckets(data_stream<hit> hits) {
  return hits.key_by([](const hit& h) { return h.key; })
      .process<bucket_out>(bucket_counts{})
      .uid("buckets");
}

}  // namespace

TEST_CASE("rescaled restore: keyed windows over a splits source, 2 -> 1 and 1 -> 2") {
  check_rescale<window_out>(windows, source_kind::splits, 2, 1);
  check_rescale<window_out>(windows, source_kind::splits, 1, 2);
}

TEST_CASE("rescaled restore: keyed windows over JSON-lines files, 2 -> 1 and 1 -> 2") {
  check_rescale<window_out>(windows, source_kind::json_lines, 2, 1);
  check_rescale<window_out>(windows, source_kind::json_lines, 1, 2);
}

TEST_CASE("rescaled restore: an interval join over a splits source, 2 -> 1 and 1 -> 2") {
  check_rescale<join_out>(joins, source_kind::splits, 2, 1);
  check_rescale<join_out>(joins, source_kind::splits, 1, 2);
}

TEST_CASE("rescaled restore: a keyed process function with timers, 2 -> 1 and 1 -> 2") {
  check_rescale<bucket_out>(buckets, source_kind::splits, 2, 1);
  check_rescale<bucket_out>(buckets, source_kind::splits, 1, 2);
}

TEST_CASE("rescaled restore: a source that does not read splits is refused, naming it") {
  temp_dir dir;
  auto job = [&](int parallelism, const std::function<void(job_options&)>& configure) {
    local_environment env;
    env.set_parallelism(parallelism);
    configure(env.options());
    generator_options g;
    g.count = 200'000;
    g.rate = 400'000;
    env.from_generator<hit>([](std::uint64_t i) { return make_hit(0, static_cast<int>(i), false); },
                            g, "generated")
        .uid("generated")
        .key_by([](const hit& h) { return h.key; })
        .process<bucket_out>(bucket_counts{})
        .uid("buckets")
        .collect();
    return env.execute();
  };
  auto first = job(2, [&](job_options& o) {
    o.checkpoints.directory = dir.path.string();
    o.checkpoints.interval = std::chrono::milliseconds(20);
  });
  REQUIRE_MESSAGE(first, (first ? "" : first.error().to_string()));
  REQUIRE_FALSE(first->checkpoints.empty());
  auto restored = job(1, [&](job_options& o) { o.restore_from = dir.path.string(); });
  REQUIRE_FALSE(restored);
  CHECK(restored.error().code() == errc::invalid_configuration);
  const auto why = restored.error().to_string();
  CHECK(why.find("generated: rescaled 2 -> 1") != std::string::npos);
  CHECK(why.find("keep parallelism 2") != std::string::npos);
}
