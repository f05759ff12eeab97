// Windows in whole jobs on the embedded runtime: Flink's rules end to end, at several
// parallelisms, with late data routed to a side output.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "dataflow/actors/local_environment.hpp"

using namespace dataflow;

namespace {

struct view {
  std::string content;
  std::string user;
  std::int64_t bytes = 0;
  friend bool operator==(const view&, const view&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(content, user, bytes);
  }
};

auto by_content = [](const view& v) { return v.content; };

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A deterministic stream: one record per 7 ms, a few contents and users, some out of order.
std::vector<record<view>> make_views(int n) {
  std::vector<record<view>> out;
  for (int i = 0; i < n; ++i) {
    timestamp ts = i * 7 - (i % 5 == 0 ? 30 : 0) - 500;  // negative timestamps too
    out.push_back({{"c" + std::to_string(i % 4), "u" + std::to_string(i % 9), i}, ts});
  }
  return out;
}

}  // namespace

TEST_CASE("tumbling windows with an offset: every result at every parallelism") {
  const auto input = make_views(1000);
  // Windows of 100 ms starting at 30 + 100k, result timestamp end - 1.
  std::map<std::pair<std::string, timestamp>, std::int64_t> expected_sum;
  for (auto& r : input) {
    timestamp start = window_start(r.ts, 30, 100);
    expected_sum[{r.value.content, start}] += r.value.bytes;
  }
  std::vector<record<window_result<std::string, std::int64_t>>> expected;
  for (auto& [k, s] : expected_sum)
    expected.push_back({{k.first, {k.second, k.second + 100}, s}, k.second + 99});

  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    local_environment env;
    env.options().threads = 2;
    env.set_parallelism(p);
    auto out = env.from_collection(input, watermark_strategy::bounded_out_of_orderness(40))
                   .key_by(by_content)
                   .window(tumbling_windows(100, 30))
                   .aggregate(agg::sum(&view::bytes))
                   .collect();
    auto r = env.execute();
    REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
    auto got = out->records();
    auto by_value = [](auto& a, auto& b) {
      return std::tie(a.value, a.ts) < std::tie(b.value, b.ts);
    };
    std::sort(got.begin(), got.end(), by_value);
    std::sort(expected.begin(), expected.end(), by_value);
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].value == expected[i].value);
      CHECK(got[i].ts == expected[i].ts);
    }
  }
}

TEST_CASE("late data in a job: re-fired within lateness, side output beyond it") {
  local_environment env;
  env.options().threads = 2;
  env.options().channels.batch_size = 1;  // records and watermarks interleave exactly
  // Watermark = max timestamp - 1 (monotonous), so elements behind it are late.
  std::vector<record<view>> in = {
      {{"a", "u1", 1}, 10},  {{"a", "u2", 2}, 120},  // wm 119: [0,100) fires with 1
      {{"a", "u3", 4}, 50},                          // within lateness 50: re-fires with 5
      {{"a", "u4", 8}, 200},                         // wm 199: cleans [0,100) (99 + 50 <= 199)
      {{"a", "u5", 16}, 60},                         // too late: side output
  };
  output_tag<view> late{"late"};
  auto windows = env.from_collection(in, watermark_strategy::monotonous())
                     .key_by(by_content)
                     .window(tumbling_windows(100))
                     .allowed_lateness(50)
                     .side_output_late_data(late)
                     .aggregate(agg::sum(&view::bytes));
  auto out = windows.collect();
  auto late_out = windows.side_output(late).collect("late");
  REQUIRE(env.execute());
  using R = window_result<std::string, std::int64_t>;
  CHECK(out->values() ==
        std::vector<R>{
            {"a", {0, 100}, 1}, {"a", {0, 100}, 5}, {"a", {100, 200}, 2}, {"a", {200, 300}, 8}});
  REQUIRE(late_out->values().size() == 1);
  CHECK(late_out->values()[0] == view{"a", "u5", 16});
  CHECK(late_out->records()[0].ts == 60);
}

TEST_CASE("sliding windows with several aggregates agree with brute force") {
  const auto input = make_views(3000);
  const duration_ms size = 600, slide = 100;
  using agg_t = std::tuple<std::int64_t, std::int64_t, std::uint64_t, std::int64_t>;
  std::map<std::pair<std::string, timestamp>, std::vector<view>> windows;
  for (auto& r : input)
    for (timestamp s = window_start(r.ts, 0, slide); s > r.ts - size; s -= slide)
      windows[{r.value.content, s}].push_back(r.value);
  std::vector<window_result<std::string, agg_t>> expected;
  for (auto& [k, vs] : windows) {
    std::int64_t sum = 0, mx = 0;
    std::set<std::string> users;
    for (auto& v : vs) {
      sum += v.bytes;
      mx = std::max(mx, v.bytes);
      users.insert(v.user);
    }
    expected.push_back({k.first,
                        {k.second, k.second + size},
                        {static_cast<std::int64_t>(vs.size()), sum, users.size(), mx}});
  }
  local_environment env;
  env.options().threads = 2;
  env.set_parallelism(2);
  auto out = env.from_collection(input, watermark_strategy::bounded_out_of_orderness(40))
                 .key_by(by_content)
                 .window(sliding_windows(size, slide))
                 .aggregate(agg::several(agg::count<view>(), agg::sum(&view::bytes),
                                         agg::count_distinct(&view::user), agg::max(&view::bytes)))
                 .collect();
  REQUIRE(env.execute());
  CHECK(sorted(out->values()) == sorted(expected));
}

TEST_CASE("session windows merge in a job, also with a late bridging element") {
  local_environment env;
  env.options().threads = 2;
  env.options().channels.batch_size = 1;
  std::vector<record<view>> in = {
      {{"a", "u", 1}, 0},   {{"a", "u", 2}, 40},  // sessions [0,10) and [40,50)
      {{"a", "u", 4}, 100},                       // wm 99: both fire
      {{"a", "u", 8}, 25},                        // [25,35) does not touch either
      {{"a", "u", 16}, 8},                        // bridges [0,10) and [25,35)? no: [8,18)
      {{"a", "u", 32}, 17},                       // [17,27) bridges [0,18) and [25,35)
  };
  auto out = env.from_collection(in, watermark_strategy::monotonous())
                 .key_by(by_content)
                 .window(session_windows(10))
                 .allowed_lateness(1000)
                 .aggregate(agg::sum(&view::bytes))
                 .collect();
  REQUIRE(env.execute());
  using R = window_result<std::string, std::int64_t>;
  CHECK(out->values() == std::vector<R>{
                             {"a", {0, 10}, 1},
                             {"a", {40, 50}, 2},
                             {"a", {25, 35}, 8},   // late, fires at once
                             {"a", {0, 18}, 17},   // merged with [8,18): fires at once
                             {"a", {0, 35}, 57},   // the bridge merges all three
                             {"a", {100, 110}, 4}  // at the end of input
                         });
}

TEST_CASE("window_all: one window per time range over the whole stream") {
  local_environment env;
  env.options().threads = 2;
  env.set_parallelism(3);
  const auto input = make_views(500);
  auto out = env.from_collection(input, watermark_strategy::bounded_out_of_orderness(40))
                 .window_all(tumbling_windows(1000))
                 .aggregate(agg::count<view>())
                 .collect();
  auto text = env.graph().to_text();
  CHECK(text.find("tumbling 1000ms") != std::string::npos);
  REQUIRE(env.execute());
  std::map<timestamp, std::int64_t> expected;
  for (auto& r : input) ++expected[window_start(r.ts, 0, 1000)];
  std::map<timestamp, std::int64_t> got;
  for (auto& r : out->values()) got[r.window.start] += r.value;
  CHECK(got == expected);
  CHECK(out->values().size() == expected.size());  // one instance: one result per range
}

TEST_CASE("a process window function sees every element and the window") {
  local_environment env;
  env.options().threads = 2;
  auto out = env.from_collection(make_views(200), watermark_strategy::bounded_out_of_orderness(40))
                 .key_by(by_content)
                 .window(sliding_windows(200, 100))
                 .process<std::string>([](const std::string& key, const time_window& w,
                                          const std::vector<view>& vs, collector<std::string>& c) {
                   c.collect(key + "@" + std::to_string(w.start) + ":" + std::to_string(vs.size()));
                 })
                 .collect();
  REQUIRE(env.execute());
  std::map<std::string, int> counts;
  for (auto& r : make_views(200))
    for (timestamp s = window_start(r.ts, 0, 100); s > r.ts - 200; s -= 100)
      ++counts[r.value.content + "@" + std::to_string(s)];
  std::vector<std::string> expected;
  for (auto& [k, n] : counts) expected.push_back(k + ":" + std::to_string(n));
  CHECK(sorted(out->values()) == sorted(expected));
}

TEST_CASE("without draining, the end of input fires no window that was still open") {
  // Windows of 100 ms; the watermark (bound 0) fires [0, 100) and [100, 200) once the element
  // at 250 is read, and nothing after it closes [200, 300).
  std::vector<record<view>> input{{{"a", "u", 1}, 10}, {{"a", "u", 2}, 120}, {{"a", "u", 3}, 250}};
  for (bool drain : {true, false}) {
    CAPTURE(drain);
    local_environment env;
    env.options().drain_on_end = drain;
    auto out = env.from_collection(input, watermark_strategy::bounded_out_of_orderness(0))
                   .key_by(by_content)
                   .window(tumbling_windows(100))
                   .aggregate(agg::count<view>())
                   .collect();
    REQUIRE(env.execute());
    std::vector<timestamp> ends;
    for (auto& r : out->values()) ends.push_back(r.window.end);
    CHECK(sorted(ends) ==
          (drain ? std::vector<timestamp>{100, 200, 300} : std::vector<timestamp>{100, 200}));
  }
}

TEST_CASE("the final watermark fires many windows per key in steps, and every one arrives") {
  // 40 keys, one element each, in windows of 10 s sliding by 100 ms: the final watermark fires
  // 100 windows per key, served 7 results at a time.
  std::vector<record<view>> input;
  for (int k = 0; k < 40; ++k) input.push_back({{"c" + std::to_string(k), "u", k}, k * 13});
  std::multiset<std::pair<std::string, timestamp>> expected;
  for (auto& r : input)
    for (timestamp s = window_start(r.ts, 0, 100); s > r.ts - 10'000; s -= 100)
      expected.insert({r.value.content, s});
  REQUIRE(expected.size() == 4000);
  for (int p : {1, 2}) {
    CAPTURE(p);
    local_environment env;
    env.options().threads = 2;
    env.set_parallelism(p);
    auto out = env.from_collection(input, watermark_strategy::bounded_out_of_orderness(0))
                   .key_by(by_content)
                   .window(sliding_windows(10'000, 100))
                   .max_output_per_step(7)
                   .aggregate(agg::count<view>())
                   .collect();
    REQUIRE(env.execute());
    std::multiset<std::pair<std::string, timestamp>> got;
    for (auto& r : out->values()) {
      CHECK(r.value == 1);
      got.insert({r.key, r.window.start});
    }
    CHECK(got == expected);
  }
}
