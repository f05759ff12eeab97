// Whole jobs on the embedded runtime: real actors, real threads, bounded waits.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "dataflow/actors/local_environment.hpp"

using namespace dataflow;
using namespace std::chrono_literals;

namespace {

using word_count = std::pair<std::string, long>;

struct count_words final : keyed_process_function<std::string, std::string, word_count> {
  value_state<long>* count = nullptr;
  void open(context& ctx) override { count = &ctx.state().value<long>("count"); }
  void process_element(const std::string& w, context& ctx) override {
    long c = count->value_or(0) + 1;
    count->update(c);
    ctx.output({w, c});
  }
};

std::vector<std::string> make_lines() {
  std::vector<std::string> lines;
  const char* words[] = {"to", "be", "or", "not", "stream", "actor", "window", "key"};
  for (int i = 0; i < 2000; ++i) {
    std::string l;
    for (int j = 0; j < 1 + i % 7; ++j) {
      l += words[(i * 7 + j * 3) % 8];
      l += ' ';
    }
    lines.push_back(l);
  }
  return lines;
}

std::map<std::string, long> run_word_count(int parallelism, std::size_t batch_size,
                                           scheduler_policy policy) {
  local_environment env;
  env.options().scheduler = policy;
  env.set_parallelism(parallelism);
  env.options().channels.batch_size = batch_size;
  env.options().threads = 2;
  auto counts =
      env.from_collection(make_lines())
          .flat_map<std::string>([](const std::string& line, collector<std::string>& out) {
            std::istringstream is(line);
            std::string w;
            while (is >> w) out.collect(w);
          })
          .key_by([](const std::string& w) { return w; })
          .process<word_count>(count_words{})
          .collect();
  auto r = env.execute();
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  std::map<std::string, long> final_counts;
  for (auto& [w, c] : counts->values()) final_counts[w] = std::max(final_counts[w], c);
  return final_counts;
}

}  // namespace

TEST_CASE("word count gives identical counts at parallelism 1, 2 and 4") {
  std::map<std::string, long> expected;
  for (auto& l : make_lines()) {
    std::istringstream is(l);
    std::string w;
    while (is >> w) ++expected[w];
  }
  CHECK(run_word_count(1, 1024, scheduler_policy::work_stealing) == expected);
  CHECK(run_word_count(2, 64, scheduler_policy::work_sharing) == expected);
  CHECK(run_word_count(4, 7, scheduler_policy::work_stealing) == expected);
}

TEST_CASE("a sink's watermark is the minimum of its inputs") {
  local_environment env;
  env.options().threads = 2;
  env.options().channels.batch_size = 1;  // watermarks interleave with records
  std::vector<record<int>> fast, slow;
  for (int i = 0; i < 50; ++i) {
    fast.push_back({i, 1000 + i * 100});  // up to 5900
    slow.push_back({-i, i * 10});         // up to 490
  }
  auto a = env.from_collection(fast, watermark_strategy::monotonous(), "fast");
  auto b = env.from_collection(slow, watermark_strategy::monotonous(), "slow");
  auto out = a.union_with(b).collect();
  REQUIRE(env.execute());
  std::set<timestamp> fast_wms, slow_wms;
  for (auto& r : fast) fast_wms.insert(r.ts - 1);
  for (auto& r : slow) slow_wms.insert(r.ts - 1);
  std::vector<timestamp> wms;
  for (auto& ev : out->events())
    if (auto* w = std::get_if<collected<int>::watermark_mark>(&ev)) wms.push_back(w->wm);
  REQUIRE(!wms.empty());
  timestamp last = min_timestamp;
  for (auto w : wms) {
    CHECK(w > last);  // forwarded only when it advances
    last = w;
    // Every slow watermark is below every fast one, so while both run the minimum is the slow
    // input's; once one input ended, the other's. Nothing else may appear.
    CHECK((slow_wms.count(w) || fast_wms.count(w) || w == max_timestamp));
  }
  CHECK(wms.back() == max_timestamp);
  CHECK(out->size() == 100);
}

TEST_CASE("a keyed process function with state and event-time timers") {
  // Per sensor: emit the sum of readings in each 100 ms bucket when the watermark passes it.
  struct bucket_sum final : keyed_process_function<int, std::pair<int, int>, std::string> {
    void process_element(const std::pair<int, int>& r, context& ctx) override {
      auto& sums = ctx.state().map<timestamp, long>("sums");
      timestamp end = (ctx.ts() / 100 + 1) * 100 - 1;
      auto* s = sums.get(end);
      sums.put(end, (s ? *s : 0) + r.second);
      ctx.register_event_time_timer(end);
    }
    void on_timer(timestamp t, time_domain, context& ctx) override {
      auto& sums = ctx.state().map<timestamp, long>("sums");
      ctx.output("sensor " + std::to_string(ctx.current_key()) + " [" + std::to_string(t - 99) +
                 "," + std::to_string(t) + "] = " + std::to_string(*sums.get(t)));
      sums.remove(t);
    }
  };
  std::vector<record<std::pair<int, int>>> readings;
  std::map<std::string, int> expected_count;
  std::multiset<std::string> expected;
  std::map<std::pair<int, timestamp>, long> sums;
  for (int i = 0; i < 600; ++i) {
    int sensor = i % 3;
    timestamp ts = i * 7;
    readings.push_back({{sensor, i}, ts});
    sums[{sensor, (ts / 100 + 1) * 100 - 1}] += i;
  }
  for (auto& [k, v] : sums)
    expected.insert("sensor " + std::to_string(k.first) + " [" + std::to_string(k.second - 99) +
                    "," + std::to_string(k.second) + "] = " + std::to_string(v));
  local_environment env;
  env.set_parallelism(2);
  env.options().threads = 2;
  auto out = env.from_collection(readings, watermark_strategy::bounded_out_of_orderness(20))
                 .key_by([](const std::pair<int, int>& r) { return r.first; })
                 .process<std::string>(bucket_sum{})
                 .collect();
  auto r = env.execute();
  REQUIRE(r);
  auto got = out->values();
  CHECK(std::multiset<std::string>(got.begin(), got.end()) == expected);
}

TEST_CASE("a slow sink throttles an unbounded generator with bounded queues and loses nothing") {
  // Under both schedulers: work sharing runs the consumer beside its producer, which once let a
  // task take every queued input while one batch waited with credit left (an unbounded outbox).
  scheduler_policy policy = scheduler_policy::work_sharing;
  SUBCASE("work sharing") {
    policy = scheduler_policy::work_sharing;
  }
  SUBCASE("work stealing") {
    policy = scheduler_policy::work_stealing;
  }
  local_environment env;
  env.options().scheduler = policy;
  env.options().threads = 2;
  env.options().channels.batch_size = 16;
  env.options().channels.credits = 2;
  env.options().chaining = false;  // source -> map -> sink as three actors, two channels
  std::atomic<std::uint64_t> generated{0};
  struct slow_sink final : sink_function<std::uint64_t> {
    std::atomic<std::uint64_t>* generated;
    std::shared_ptr<std::vector<std::uint64_t>> seen;
    std::shared_ptr<std::atomic<std::uint64_t>> max_lead;
    void write(const std::vector<record<std::uint64_t>>& rs) override {
      for (auto& r : rs) seen->push_back(r.value);
      auto lead = generated->load() - seen->size();
      if (lead > max_lead->load()) max_lead->store(lead);
      std::this_thread::sleep_for(200us);  // the slowness under test, not a wait
    }
  };
  auto seen = std::make_shared<std::vector<std::uint64_t>>();
  auto max_lead = std::make_shared<std::atomic<std::uint64_t>>(0);
  auto done = std::make_shared<std::atomic<bool>>(false);
  env.from_generator<std::uint64_t>([&](std::uint64_t i) {
       generated.fetch_add(1);
       return record<std::uint64_t>{i, static_cast<timestamp>(i)};
     })
      .map([](std::uint64_t x) { return x; })
      .sink_to([&] {
        auto s = std::make_unique<slow_sink>();
        s->generated = &generated;
        s->seen = seen;
        s->max_lead = max_lead;
        return s;
      });
  auto job = env.execute_async();
  REQUIRE(job);
  // Let it run until the sink has consumed 300 batches' worth, then cancel.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (generated.load() < 5000 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);  // polling a counter with a deadline, not guessing
  (*job)->cancel();
  REQUIRE((*job)->wait_for(30s));
  auto r = (*job)->wait();
  REQUIRE(r);
  CHECK(r->cancelled);
  // Bound: per channel at most `credits` batches in flight plus one being built and one being
  // processed, on two channels; the generator produces one poll (batch) ahead.
  const std::uint64_t bound = 2 * (2 + 2) * 16 + 16 + 16;
  CHECK(max_lead->load() <= bound);
  for (auto& t : r->tasks) CHECK(t.max_in_flight <= 2);
  for (auto& t : r->tasks) CHECK(t.max_queued <= 2);
  // Nothing lost or reordered: the sink saw 0, 1, 2, ... without gaps.
  for (std::size_t i = 0; i < seen->size(); ++i) REQUIRE((*seen)[i] == i);
  CHECK(seen->size() > 1000);
  auto* gen = r->find("generator");
  REQUIRE(gen);
  CHECK(gen->backpressured_ms > 0);
}

TEST_CASE("barriers align at a two-input operator") {
  // Two unbounded generators feed a union; the sink records barriers in order with records.
  // After alignment, what precedes the barrier at the sink is exactly what each source read
  // before it injected the barrier.
  local_environment env;
  env.options().threads = 2;
  env.options().channels.batch_size = 8;
  env.options().chaining = false;
  generator_options go;
  go.rate = 20000;
  auto a = env.from_generator<std::int64_t>(
      [](std::uint64_t i) {
        return record<std::int64_t>{static_cast<std::int64_t>(i), 0};
      },
      go, "a");
  auto b = env.from_generator<std::int64_t>(
      [](std::uint64_t i) {
        return record<std::int64_t>{-1 - static_cast<std::int64_t>(i), 0};
      },
      go, "b");
  auto out = a.union_with(b).collect();
  auto job = env.execute_async();
  REQUIRE(job);
  REQUIRE(out->wait_for_records(500, 30s));
  (*job)->trigger_barrier(1);
  REQUIRE(out->wait_for_records(out->size() + 500, 30s));
  (*job)->cancel();
  auto r = (*job)->wait();
  REQUIRE(r);
  auto* ta = r->find("a");
  auto* tb = r->find("b");
  REQUIRE(ta);
  REQUIRE(tb);
  REQUIRE(ta->barriers.size() == 1);
  REQUIRE(tb->barriers.size() == 1);
  std::uint64_t before_a = 0, before_b = 0;
  bool barrier_seen = false;
  for (auto& ev : out->events()) {
    if (std::holds_alternative<collected<std::int64_t>::barrier_mark>(ev)) {
      barrier_seen = true;
      break;
    }
    if (auto* rec = std::get_if<record<std::int64_t>>(&ev))
      (rec->value >= 0 ? before_a : before_b)++;
  }
  REQUIRE(barrier_seen);
  CHECK(before_a == ta->barriers[0].second);
  CHECK(before_b == tb->barriers[0].second);
}

TEST_CASE("a failing operator fails the job with its name") {
  local_environment env;
  env.options().threads = 2;
  env.from_collection(std::vector<int>{1, 2, 3, 4})
      .map(
          [](int x) {
            if (x == 3) throw std::runtime_error("three is not allowed");
            return x;
          },
          "picky")
      .print();
  auto r = env.execute();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == errc::operator_failed);
  CHECK(r.error().message().find("'picky'") != std::string::npos);
  CHECK(r.error().message().find("three is not allowed") != std::string::npos);
}

TEST_CASE("bad options stop the job before it starts") {
  local_environment env;
  env.options().channels.credits = 0;
  env.from_collection(std::vector<int>{1}).print();
  auto r = env.execute();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == errc::invalid_configuration);
  CHECK(r.error().message().find("credits") != std::string::npos);
}

TEST_CASE("a failing source is named in the error, not the operator chained after it") {
  local_environment env;
  env.options().threads = 2;
  generator_options go;
  go.count = 100;
  env.from_generator<int>(
         [](std::uint64_t i) -> record<int> {
           if (i == 50) throw std::runtime_error("disk on fire");
           return {static_cast<int>(i), 0};
         },
         go, "flaky-source")
      .map([](int x) { return x; }, "after")
      .print();
  auto r = env.execute();
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("'flaky-source'") != std::string::npos);
  CHECK(r.error().message().find("disk on fire") != std::string::npos);
}

TEST_CASE("for_each_batch hands every record to a function, once, at any parallelism") {
  local_environment env;
  env.options().threads = 2;
  env.set_parallelism(2);
  std::vector<int> values(1000);
  for (int i = 0; i < 1000; ++i) values[static_cast<std::size_t>(i)] = i;
  auto count = std::make_shared<std::atomic<long>>(0);
  auto sum = std::make_shared<std::atomic<long>>(0);
  env.from_collection(values).rebalance().for_each_batch(
      [count, sum](const std::vector<record<int>>& rs) {
        *count += static_cast<long>(rs.size());
        for (auto& r : rs) *sum += r.value;
      });
  REQUIRE(env.execute());
  CHECK(count->load() == 1000);
  CHECK(sum->load() == 999 * 1000 / 2);
}
