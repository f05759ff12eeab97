// The RocksDB state backend in whole jobs: every keyed operator (sliding windows, session
// windows, interval join, enrichment, a keyed process function with timers) keeps its state in
// RocksDB, and the output equals the memory backend's, record for record, also with a write-back
// cache of 3 keys per state, so that nearly every access goes to RocksDB and back. Checkpoints
// taken with one backend restore into the other.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "../libdataflow/io/temp_dir.hpp"
#include "dataflow/actors/local_environment.hpp"
#include "dataflow/checkpoint/loaded_checkpoint.hpp"
#include "dataflow/state/rocksdb_state_backend.hpp"
#include "dataflow/state/state_backend_config.hpp"
#include "keyed_hit.hpp"

using namespace dataflow;
using dataflow::testing::hit;
using dataflow::testing::temp_dir;
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t events = 40'000;

/// Record i: 48 keys, 4 per ms of event time, out of order by up to 40 ms; every 97th record is 400
/// ms late (beyond the watermark's 50 ms and the windows' 100 ms lateness), and every 89th 120 ms
/// (late but, for most windows, within the lateness).
record<hit> make_hit(std::uint64_t i) {
  timestamp t = static_cast<timestamp>(i / 4) - static_cast<timestamp>((i * 13) % 41);
  if (i % 97 == 0) t -= 400;
  if (i % 89 == 0) t -= 120;
  return {hit{static_cast<int>((i * 2654435761u) % 48), static_cast<std::int64_t>(i % 37)}, t};
}

/// The same without late records: the output then does not depend on where polls end, which a
/// rate-limited or restored source changes (and with them which records a periodic watermark
/// makes late).
record<hit> make_timely_hit(std::uint64_t i) {
  const timestamp t = static_cast<timestamp>(i / 4) - static_cast<timestamp>((i * 13) % 41);
  return {hit{static_cast<int>((i * 2654435761u) % 48), static_cast<std::int64_t>(i % 37)}, t};
}

/// Sums per key and 50-ms bucket, emitted when the watermark passes the bucket (map state and
/// event-time timers).
struct bucket_sums final : keyed_process_function<int, hit, std::string> {
  void process_element(const hit& h, context& ctx) override {
    auto& sums = ctx.state().map<timestamp, std::int64_t>("sums");
    const timestamp end = (ctx.ts() / 50 + 1) * 50 - 1;
    if (end <= ctx.current_watermark()) return;  // its timer has fired
    auto* s = sums.get(end);
    sums.put(end, (s ? *s : 0) + h.v);
    ctx.register_event_time_timer(end);
  }
  void on_timer(timestamp t, time_domain, context& ctx) override {
    auto& sums = ctx.state().map<timestamp, std::int64_t>("sums");
    ctx.output(std::to_string(ctx.current_key()) + "@" + std::to_string(t) + "=" +
               std::to_string(*sums.get(t)));
    sums.remove(t);
  }
};

/// Every operator's output as sorted strings, by operator.
struct outputs {
  std::map<std::string, std::vector<std::string>> by_operator;
  job_result result;
};

outputs run(std::shared_ptr<state_backend> backend,
            const std::function<void(job_options&)>& configure = {}, double rate = 0,
            record<hit> (*make)(std::uint64_t) = make_hit) {
  local_environment env;
  env.options().threads = 2;
  env.options().backend = std::move(backend);
  env.set_parallelism(2);
  if (configure) configure(env.options());
  generator_options g;
  g.count = events;
  g.rate = rate;
  g.watermarks = watermark_strategy::bounded_out_of_orderness(50);
  // One source instance: with two, which records are late would depend on how they interleave.
  auto hits = env.from_generator<hit>(make, g, "hits").uid("hits");
  hits.set_parallelism(1);
  auto by_key = [](const hit& h) { return h.key; };

  auto sliding =
      hits.key_by(by_key)
          .window(sliding_windows(1'000, 100))
          .allowed_lateness(100)
          .aggregate(agg::several(agg::count<hit>(), agg::sum(&hit::v),
                                  agg::count_distinct<hit>([](const hit& h) { return h.v; })))
          .uid("sliding")
          .map(
              [](const auto& r) {
                auto [n, sum, distinct] = r.value;
                return std::to_string(r.key) + "@" + std::to_string(r.window.end) + "=" +
                       std::to_string(n) + "," + std::to_string(sum) + "," +
                       std::to_string(distinct);
              },
              "format sliding")
          .collect("sliding-sink");
  auto sessions = hits.key_by([](const hit& h) { return h.key % 7; })
                      .window(session_windows(3))
                      .aggregate(agg::count<hit>())
                      .uid("sessions")
                      .map(
                          [](const auto& r) {
                            return std::to_string(r.key) + "@" + std::to_string(r.window.start) +
                                   "-" + std::to_string(r.window.end) + "=" +
                                   std::to_string(r.value);
                          },
                          "format sessions")
                      .collect("sessions-sink");
  auto joined = hits.key_by(by_key)
                    .interval_join(hits.key_by(by_key))
                    .between(-2, 0)
                    .process<std::string>([](const hit& l, const hit& r, const join_context& c,
                                             collector<std::string>& out) {
                      out.collect(std::to_string(l.key) + ":" + std::to_string(l.v) + "@" +
                                  std::to_string(c.left_ts) + "/" + std::to_string(r.v) + "@" +
                                  std::to_string(c.right_ts));
                    })
                    .uid("join")
                    .collect("join-sink");
  auto enriched = hits.key_by(by_key)
                      .window(tumbling_windows(200))
                      .allowed_lateness(100)
                      .enrich(agg::sum(&hit::v))
                      .uid("enrich")
                      .map(
                          [](const auto& e) {
                            return std::to_string(e.element.key) + ":" +
                                   std::to_string(e.element.v) + "@" +
                                   std::to_string(e.window.end) + "=" +
                                   (e.aggregate ? std::to_string(*e.aggregate) : "-") + "/" +
                                   std::to_string(static_cast<int>(e.status));
                          },
                          "format enriched")
                      .collect("enrich-sink");
  auto buckets = hits.key_by(by_key)
                     .process<std::string>(bucket_sums{})
                     .uid("buckets")
                     .collect("buckets-sink");
  auto r = env.execute();
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  outputs o;
  o.result = *r;
  auto put = [&](const char* name, auto& sink) {
    auto v = sink->values();
    std::sort(v.begin(), v.end());
    o.by_operator[name] = std::move(v);
  };
  put("sliding", sliding);
  put("sessions", sessions);
  put("join", joined);
  put("enrich", enriched);
  put("buckets", buckets);
  return o;
}

std::shared_ptr<state_backend> rocksdb_backend(std::size_t cache_entries) {
  state_backend_config c;
  c.kind = "rocksdb";
  c.cache_entries = cache_entries;
  auto b = make_state_backend(c);
  REQUIRE_MESSAGE(b, (b ? "" : b.error().to_string()));
  return *b;
}

void check_equal(const outputs& a, const outputs& b) {
  for (auto& [name, v] : a.by_operator) {
    CAPTURE(name);
    const auto& w = b.by_operator.at(name);
    CHECK(v.size() == w.size());
    CHECK(v == w);
  }
}

}  // namespace

TEST_CASE("every keyed operator gives the same output on RocksDB as in memory") {
  const auto memory = run(make_memory_state_backend());
  for (auto& [name, v] : memory.by_operator) {
    CAPTURE(name);
    CHECK(v.size() > 100);  // every operator has work to do
  }
  for (std::size_t cache : {std::size_t{3}, std::size_t{65'536}}) {
    CAPTURE(cache);
    auto backend = rocksdb_backend(cache);
    auto* db = dynamic_cast<rocksdb_state_backend*>(backend.get());
    REQUIRE(db != nullptr);
    const fs::path dir = db->directory();
    const auto on_rocksdb = run(backend);
    check_equal(memory, on_rocksdb);
    // The state went through RocksDB: a column family per keyed state of every operator.
    auto families = db->column_families();
    for (const char* uid : {"sliding/", "sessions/", "join/", "enrich/", "buckets/"}) {
      CAPTURE(uid);
      CHECK(std::any_of(families.begin(), families.end(),
                        [&](const std::string& f) { return f.rfind(uid, 0) == 0; }));
    }
    {  // A second job on the same backend would see the first one's keys: refused.
      local_environment env;
      env.options().backend = backend;
      generator_options g;
      g.count = 10;
      env.from_generator<hit>(make_hit, g, "hits")
          .uid("hits")
          .key_by([](const hit& h) { return h.key; })
          .window(tumbling_windows(10))
          .aggregate(agg::count<hit>())
          .uid("sliding")
          .collect();
      auto again = env.execute();
      REQUIRE_FALSE(again);
      CHECK(again.error().to_string().find("already holds state of operator 'sliding'") !=
            std::string::npos);
    }
    backend.reset();  // the working directory goes with the backend
    CHECK_FALSE(fs::exists(dir));
  }
}

TEST_CASE("checkpoints taken on one backend restore into the other") {
  const auto reference = run(make_memory_state_backend(), {}, 0, make_timely_hit);
  for (bool from_rocksdb : {true, false}) {
    CAPTURE(from_rocksdb);
    temp_dir dir;
    auto first = from_rocksdb ? rocksdb_backend(16) : make_memory_state_backend();
    // About 0.4 s at 100,000 records/s; checkpoints every 40 ms.
    const auto checkpointed = run(
        first,
        [&](job_options& o) {
          o.checkpoints.directory = dir.str();
          o.checkpoints.interval = std::chrono::milliseconds(40);
          o.checkpoints.retained = 100;
        },
        100'000, make_timely_hit);
    check_equal(reference, checkpointed);
    const auto& taken = checkpointed.result.checkpoints;
    // Usually about ten; on a loaded machine under a sanitizer (slow RocksDB checkpoints) the
    // run may end after one, which serves as well: any completed checkpoint was taken before
    // the source finished (checked below), so the restored run has records left to read.
    REQUIRE_MESSAGE(!taken.empty(), "no checkpoint completed");
    const auto& middle = taken[taken.size() / 2];
    auto second = from_rocksdb ? make_memory_state_backend() : rocksdb_backend(16);
    const auto restored = run(
        second, [&](job_options& o) { o.restore_from = middle.directory; }, 0, make_timely_hit);
    CHECK(restored.result.restored_from == middle.directory);
    // Whatever the restored run emits, the uninterrupted run emitted too, and the restored run
    // emits every window that ends after the last one it saw (per operator, as a set).
    for (auto& [name, v] : restored.by_operator) {
      CAPTURE(name);
      const auto& all = reference.by_operator.at(name);
      CHECK(!v.empty());
      CHECK(std::includes(all.begin(), all.end(), v.begin(), v.end()));
    }
    // The source read exactly what the checkpoint had not.
    auto loaded = load_checkpoint(middle.directory);
    REQUIRE(loaded);
    std::uint64_t read_before = 0, max_position = 0;
    for (auto& op : loaded->metadata().operators)
      if (op.uid == "hits")
        for (auto& st : op.subtasks) {
          read_before += st.source_position.value_or(0);
          max_position = std::max(max_position, st.source_position.value_or(0));
        }
    REQUIRE(read_before < events);
    CHECK(restored.result.source_records() == events - read_before);
    // The checkpoint had read records below max_position, whose times are below
    // max_position / 4, so no window ending after that had fired. Their last firing (the
    // largest count: late firings only add) must be the uninterrupted run's; a restore that
    // lost a key's state would change it.
    const auto horizon = static_cast<long long>(max_position / 4 + 1);
    auto last_firing = [&](const std::vector<std::string>& lines) {
      std::map<std::pair<int, long long>, std::pair<long long, std::string>> m;
      for (auto& line : lines) {
        auto at = line.find('@'), eq = line.find('='), comma = line.find(',');
        const std::pair key{std::stoi(line.substr(0, at)),
                            std::stoll(line.substr(at + 1, eq - at - 1))};
        const long long n = std::stoll(line.substr(eq + 1, comma - eq - 1));
        if (key.second <= horizon) continue;
        auto [it, fresh] = m.emplace(key, std::pair{n, line});
        if (!fresh && n > it->second.first) it->second = {n, line};
      }
      return m;
    };
    const auto want = last_firing(reference.by_operator.at("sliding"));
    CHECK(want.size() > 100);
    CHECK(last_firing(restored.by_operator.at("sliding")) == want);
  }
}
