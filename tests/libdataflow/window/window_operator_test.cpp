// Flink's window rules, one by one, on the window operators driven by the operator harness.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>

#include "../../keyed_value.hpp"
#include "dataflow/testing/operator_harness.hpp"
#include "dataflow/window/window_operator_factory.hpp"

using namespace dataflow;

namespace {

using ev = testing::keyed_value;

auto by_key = [](const ev& e) { return e.key; };
using sum_result = window_result<int, std::int64_t>;
using sum_fn = sum_aggregate<ev, std::int64_t ev::*>;

template <class Assigner, class Agg = sum_fn>
auto harness(Assigner a, window_options opts = {}, Agg agg = agg::sum(&ev::v)) {
  using Out = window_result<int, typename Agg::result_type>;
  return testing::operator_harness<ev, Out>(
      make_window_aggregate<ev>(by_key, std::move(a), std::move(agg), std::move(opts)));
}

template <class Out>
std::vector<Out> sorted(std::vector<Out> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("a tumbling window fires when the watermark reaches end - 1, with timestamp end - 1") {
  auto h = harness(tumbling_windows(10));
  h.push({1, 5}, 0);
  h.push({1, 7}, 9);
  h.push({1, 100}, 10);
  h.push_watermark(8);
  CHECK(h.output().empty());
  h.push_watermark(9);
  REQUIRE(h.output().size() == 1);
  CHECK(h.output()[0].value == sum_result{1, {0, 10}, 12});
  CHECK(h.output()[0].ts == 9);
  h.end();
  REQUIRE(h.output().size() == 2);
  CHECK(h.output()[1].value == sum_result{1, {10, 20}, 100});
  CHECK(h.output()[1].ts == 19);
}

TEST_CASE("window starts follow offsets and negative timestamps in the operator") {
  auto h = harness(tumbling_windows(10, 3));
  h.push({1, 1}, -8);  // windows start at 3 + 10k: [-17, -7)
  h.push({1, 2}, 2);
  h.push({1, 4}, 3);
  h.end();
  CHECK(sorted(h.values()) ==
        std::vector<sum_result>{{1, {-17, -7}, 1}, {1, {-7, 3}, 2}, {1, {3, 13}, 4}});
}

TEST_CASE("sliding windows combine slices: every window of an element counts it once") {
  for (auto agg_kind : {0, 1}) {
    CAPTURE(agg_kind);
    window_options o;
    auto check = [&](auto h) {
      h.push({1, 1}, 0);
      h.push({1, 10}, 5);
      h.push({1, 100}, 12);
      h.push({2, 1000}, 7);
      h.end();
      // size 10 slide 5: windows [-5,5) [0,10) [5,15) [10,20)
      CHECK(sorted(h.values()) == std::vector<sum_result>{{1, {-5, 5}, 1},
                                                          {1, {0, 10}, 11},
                                                          {1, {5, 15}, 110},
                                                          {1, {10, 20}, 100},
                                                          {2, {0, 10}, 1000},
                                                          {2, {5, 15}, 1000}});
    };
    if (agg_kind == 0)
      check(harness(sliding_windows(10, 5), o));  // running (sum is invertible)
    else
      check(harness(sliding_windows(10, 5), o, agg::sum<ev>([](const ev& e) { return e.v; })));
  }
}

TEST_CASE("max over sliding windows uses two stacks and matches per-window maxima") {
  using max_result = window_result<int, std::int64_t>;
  auto h = harness(sliding_windows(30, 10), {}, agg::max(&ev::v));
  const std::vector<std::pair<timestamp, std::int64_t>> in = {{1, 5},  {11, 3}, {12, 9}, {25, 1},
                                                              {31, 2}, {45, 7}, {52, 1}, {80, 4}};
  for (auto [t, v] : in) {
    h.push({1, v}, t);
    h.push_watermark(t - 1);
  }
  h.end();
  std::vector<max_result> expected;
  for (timestamp s = -20; s <= 80; s += 10) {
    std::optional<std::int64_t> m;
    for (auto [t, v] : in)
      if (t >= s && t < s + 30) m = std::max(m.value_or(v), v);
    if (m) expected.push_back({1, {s, s + 30}, *m});
  }
  CHECK(sorted(h.values()) == expected);
}

TEST_CASE("a late element within the allowed lateness updates and re-fires its window") {
  window_options o;
  o.allowed_lateness = 5;
  o.late_tag = "late";
  auto h = harness(tumbling_windows(10), o);
  h.push({1, 1}, 3);
  h.push_watermark(9);
  REQUIRE(h.values() == std::vector<sum_result>{{1, {0, 10}, 1}});
  h.push({1, 2}, 4);  // late, but 9 + 5 > watermark 9
  REQUIRE(h.values().size() == 2);
  CHECK(h.values()[1] == sum_result{1, {0, 10}, 3});
  CHECK(h.output()[1].ts == 9);
  h.push_watermark(13);
  h.push({1, 4}, 5);  // still within: 9 + 5 = 14 > 13
  CHECK(h.values().back() == sum_result{1, {0, 10}, 7});
  h.push_watermark(14);  // cleanup at 9 + 5
  h.push({1, 8}, 6);     // too late: side output, unchanged
  CHECK(h.values().size() == 3);
  auto late = h.side_output<ev>("late");
  REQUIRE(late.size() == 1);
  CHECK(late[0].value.v == 8);
  CHECK(late[0].ts == 6);
  auto& op = dynamic_cast<sliced_window_operator<
      int, ev, sum_fn, sum_result, decltype(by_key),
      detail::aggregate_emitter<int, sum_fn, detail::make_window_result<int>>>&>(h.op());
  CHECK(op.late_elements() == 1);
  CHECK(op.keys_with_state() == 0);  // the window's state was cleaned at 14
}

TEST_CASE("without a late-data output, too-late elements are dropped and counted") {
  auto h = harness(sliding_windows(10, 5));
  h.push_watermark(100);
  h.push({1, 1}, 80);
  h.end();
  CHECK(h.output().empty());
}

TEST_CASE("sliding windows: a late element re-fires only the windows not yet cleaned up") {
  window_options o;
  o.allowed_lateness = 5;
  auto h = harness(sliding_windows(10, 5), o);
  h.push({1, 1}, 7);  // windows [0,10) and [5,15)
  h.push_watermark(12);
  REQUIRE(h.values() == std::vector<sum_result>{{1, {0, 10}, 1}});
  h.clear_output();
  // 12 >= 9 + 5? no (14): [0,10) not cleaned; [5,15) not fired yet.
  h.push({1, 10}, 8);
  CHECK(h.values() == std::vector<sum_result>{{1, {0, 10}, 11}});
  h.clear_output();
  h.push_watermark(14);  // fires [5,15), cleans [0,10)
  CHECK(h.values() == std::vector<sum_result>{{1, {5, 15}, 11}});
  h.clear_output();
  h.push({1, 100}, 6);  // [0,10) is gone; [5,15) re-fires
  CHECK(h.values() == std::vector<sum_result>{{1, {5, 15}, 111}});
}

TEST_CASE("session windows merge when an element bridges them, also within lateness") {
  window_options o;
  o.allowed_lateness = 100;
  auto h = harness(session_windows(10), o);
  h.push({1, 1}, 0);   // [0,10)
  h.push({1, 2}, 30);  // [30,40)
  h.push_watermark(9);
  REQUIRE(h.values() == std::vector<sum_result>{{1, {0, 10}, 1}});
  h.push({1, 4}, 10);  // touches [0,10): merged [0,20), which is not due yet
  CHECK(h.values().size() == 1);
  h.push({1, 8}, 20);  // bridges [0,20) and [30,40) into [0,40)
  h.push_watermark(39);
  CHECK(h.values().back() == sum_result{1, {0, 40}, 15});
  h.push({1, 16}, 35);  // extends the session to [0,45): due at 44, not now
  CHECK(h.values().size() == 2);
  h.push_watermark(44);
  CHECK(h.values().back() == sum_result{1, {0, 45}, 31});
  CHECK(h.output().back().ts == 44);
  h.push({1, 32}, 2);  // late within lateness, inside the fired session: re-fires at once
  CHECK(h.values().back() == sum_result{1, {0, 45}, 63});
  h.push_watermark(144);  // cleaned at 44 + 100
  h.push({1, 64}, 30);    // [30,40) is past its cleanup at 39 + 100: late
  CHECK(h.values().size() == 4);
}

TEST_CASE("a session that starts before the others stays in order and merges later") {
  window_options o;
  o.allowed_lateness = 1000;
  auto h = harness(session_windows(10), o);
  h.push({1, 1}, 40);   // [40,50)
  h.push({1, 2}, 0);    // [0,10), before it
  h.push({1, 4}, 20);   // [20,30), between
  h.push({1, 8}, 9);    // bridges [0,10) and... [9,19): touches [0,10) only
  h.push({1, 16}, 19);  // [19,29) bridges [0,19) and [20,30)
  h.push({1, 32}, 30);  // [30,40) touches [0,30) and [40,50): one session
  h.end();
  CHECK(h.values() == std::vector<sum_result>{{1, {0, 50}, 63}});
}

TEST_CASE("sessions with a gap computed per element") {
  auto gap = [](const ev& e) { return e.v; };
  auto h = harness(session_windows::with_dynamic_gap(gap));
  h.push({1, 5}, 0);    // [0,5)
  h.push({1, 20}, 10);  // [10,30)
  h.push({1, 1}, 4);    // [4,5) merges with [0,5)
  h.end();
  CHECK(sorted(h.values()) == std::vector<sum_result>{{1, {0, 5}, 6}, {1, {10, 30}, 20}});
}

TEST_CASE("count trigger fires every n elements, purging clears the contents") {
  window_options o;
  o.trigger = window_trigger::count(2);
  auto h = harness(tumbling_windows(100), o);
  for (int i = 1; i <= 5; ++i) h.push({1, i}, i);
  h.end();  // the count trigger does not fire on time
  CHECK(h.values() == std::vector<sum_result>{{1, {0, 100}, 3}, {1, {0, 100}, 10}});

  o.trigger = window_trigger::purging(window_trigger::count(2));
  auto p = harness(tumbling_windows(100), o);
  for (int i = 1; i <= 5; ++i) p.push({1, i}, i);
  p.end();
  CHECK(p.values() == std::vector<sum_result>{{1, {0, 100}, 3}, {1, {0, 100}, 7}});
}

TEST_CASE("purging event-time trigger: a late element re-fires with only itself") {
  window_options o;
  o.trigger = window_trigger::purging(window_trigger::event_time());
  o.allowed_lateness = 10;
  auto h = harness(tumbling_windows(10), o);
  h.push({1, 1}, 1);
  h.push({1, 2}, 2);
  h.push_watermark(9);
  h.push({1, 4}, 3);
  CHECK(h.values() == std::vector<sum_result>{{1, {0, 10}, 3}, {1, {0, 10}, 4}});
}

TEST_CASE("processing-time trigger fires when processing time reaches end - 1") {
  window_options o;
  o.trigger = window_trigger::processing_time();
  auto h = harness(sliding_windows(10, 5), o);
  h.set_processing_time(0);
  h.push({1, 1}, 3);    // [-5,5) and [0,10)
  h.push_watermark(2);  // watermarks do not fire it (but would clean it up past 9)
  CHECK(h.output().empty());
  h.set_processing_time(4);
  CHECK(h.values() == std::vector<sum_result>{{1, {-5, 5}, 1}});
  h.set_processing_time(20);
  CHECK(h.values().size() == 2);
}

TEST_CASE("processing-time trigger: elements for a window already due fire it at once") {
  // The same for both operators and whether or not another key's timer ran in between.
  for (bool other_key : {false, true})
    for (bool per_window : {false, true}) {
      CAPTURE(other_key);
      CAPTURE(per_window);
      window_options o;
      o.trigger = per_window ? window_trigger::purging(window_trigger::processing_time())
                             : window_trigger::processing_time();
      auto h = harness(tumbling_windows(10), o);
      if (other_key) h.push({2, 1000}, 3);  // a timer due at 9
      h.set_processing_time(100);
      h.clear_output();
      h.push({1, 1}, 13);
      h.push({1, 2}, 14);
      const std::int64_t second = per_window ? 2 : 3;
      CHECK(h.values() == std::vector<sum_result>{{1, {10, 20}, 1}, {1, {10, 20}, second}});
    }
}

TEST_CASE("window state survives a snapshot and restore in the middle") {
  window_options o;
  o.allowed_lateness = 3;
  auto make = [&] {
    return make_window_aggregate<ev>(by_key, sliding_windows(20, 5), agg::sum(&ev::v), o);
  };
  testing::operator_harness<ev, sum_result> a(make()), b(make());
  auto feed = [](auto& h, int from, int to) {
    for (int t = from; t < to; ++t) {
      h.push({t % 3, t}, t);
      if (t % 4 == 0) h.push_watermark(t - 2);
    }
  };
  feed(a, 0, 60);
  feed(b, 0, 30);
  auto bytes = b.snapshot();
  b.restore(make(), bytes);
  feed(b, 30, 60);
  a.end();
  b.end();
  CHECK(sorted(a.values()) == sorted(b.values()));
  CHECK_FALSE(a.values().empty());
}

TEST_CASE("every aggregate at once over one window") {
  auto h =
      harness(tumbling_windows(10), {},
              agg::several(agg::count<ev>(), agg::sum(&ev::v), agg::min(&ev::v), agg::max(&ev::v),
                           agg::avg(&ev::v), agg::count_distinct(&ev::v), agg::collect(&ev::v)));
  for (std::int64_t v : {4, 2, 4, 8}) h.push({1, v}, 1);
  h.end();
  REQUIRE(h.values().size() == 1);
  auto [count, sum, mn, mx, avg, distinct, all] = h.values()[0].value;
  CHECK(count == 4);
  CHECK(sum == 18);
  CHECK(mn == 2);
  CHECK(mx == 8);
  CHECK(avg == doctest::Approx(4.5));
  CHECK(distinct == 3);
  CHECK(all == std::vector<std::int64_t>{4, 2, 4, 8});
}

TEST_CASE("count_distinct over sliding windows retracts expired slices exactly") {
  auto h = harness(sliding_windows(20, 10), {}, agg::count_distinct(&ev::v));
  h.push({1, 7}, 1);
  h.push({1, 7}, 15);
  h.push({1, 9}, 25);
  h.end();
  using R = window_result<int, std::uint64_t>;
  CHECK(sorted(h.values()) ==
        std::vector<R>{{1, {-10, 10}, 1}, {1, {0, 20}, 1}, {1, {10, 30}, 2}, {1, {20, 40}, 1}});
}

TEST_CASE("sums add up in 64 bits or double, whatever the field's width") {
  struct small {
    std::uint8_t b = 0;
    float f = 0;
  };
  auto s = agg::sum(&small::b);
  auto acc = s.create();
  for (int i = 0; i < 300; ++i) s.add(acc, small{200, 0});
  static_assert(std::is_same_v<decltype(s.result(acc)), std::uint64_t>);
  CHECK(s.result(acc) == 60'000);
  auto d = agg::sum(&small::f);
  static_assert(std::is_same_v<decltype(d.result(d.create())), double>);
}

TEST_CASE("restored from two instances at once: all their windows, at the slower watermark") {
  // Instances 0 and 1 of 2 hold windows of their own keys; instance 0 has seen watermark 99,
  // instance 1 only 49. Both window operators (per pane and sliced) are checked.
  auto owner = [](int key) { return instance_of_key_group(key_group_of(key, 128), 128, 2); };
  window_options o;
  o.late_tag = "late";
  auto per_pane = [&] {
    return make_window_aggregate<ev>(by_key, tumbling_windows(10), agg::sum(&ev::v), o);
  };
  auto sliced = [&] {
    return make_window_aggregate<ev>(by_key, sliding_windows(10, 10), agg::sum(&ev::v), o);
  };
  {
    int ones = 0;
    for (int k = 0; k < 8; ++k) ones += owner(k);
    REQUIRE((ones > 0 && ones < 8));  // keys of both instances among 0..7
  }
  for (auto& make : {std::function(per_pane), std::function(sliced)}) {
    std::vector<std::string> pieces;
    for (int i = 0; i < 2; ++i) {
      testing::operator_harness<ev, sum_result> old(make(), operator_info{"w", "w", i, 2, 128});
      for (timestamp t = 0; t < 150; ++t)
        for (int k = 0; k < 8; ++k)
          if (owner(k) == i) old.push({k, 1}, t);
      old.push_watermark(i == 0 ? 99 : 49);
      pieces.push_back(old.snapshot());
    }
    // Either order of the pieces gives the same instance.
    for (bool reversed : {false, true}) {
      CAPTURE(reversed);
      testing::operator_harness<ev, sum_result> h(make(), operator_info{"w", "w", 0, 1, 128});
      h.restore(make(), reversed ? std::vector<std::string>{pieces[1], pieces[0]} : pieces);
      // At watermark 49, an element at 55 is on time for instance 1's keys' window [50, 60).
      for (int k = 0; k < 8; ++k)
        if (owner(k) == 1) h.push({k, 1000}, 55);
      h.end();
      CHECK(h.side_output<ev>("late").empty());
      // Every window not fired before the snapshot fires once: [50, 60) ... [140, 150) of
      // instance 1's keys, [100, 110) ... [140, 150) of instance 0's.
      std::vector<sum_result> expected;
      for (int k = 0; k < 8; ++k)
        for (timestamp end = owner(k) == 0 ? 110 : 60; end <= 150; end += 10)
          expected.push_back({k, {end - 10, end}, end == 60 ? 1010 : 10});
      CHECK(sorted(h.values()) == sorted(expected));
    }
  }
}
