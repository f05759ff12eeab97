// The interval join operator's rules, one at a time, through the operator harness: bounds
// inclusive or exclusive on each side, negative and positive bounds, lateness (side outputs or
// counted), buffers trimmed by the watermark, the forwarded watermark, the join function's
// forms, and snapshot / restore in the middle of a stream.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/join/interval_join_operator.hpp"
#include "dataflow/testing/operator_harness.hpp"

using namespace dataflow;

namespace {

using ev = std::pair<int, int>;      // key, id
using joined = std::pair<int, int>;  // left id, right id

struct key_of {
  int operator()(const ev& e) const noexcept { return e.first; }
};
struct ids {
  joined operator()(const ev& l, const ev& r) const { return {l.second, r.second}; }
};

using op_t = interval_join_operator<int, ev, ev, joined, key_of, key_of, ids>;
using harness = testing::operator_harness<ev, joined, ev>;

std::unique_ptr<op_t> make_op(duration_ms lower, duration_ms upper, bool lower_inclusive = true,
                              bool upper_inclusive = true, std::string left_late = {},
                              std::string right_late = {}) {
  interval_join_options o;
  o.bounds = {lower, upper, lower_inclusive, upper_inclusive};
  o.left_late_tag = std::move(left_late);
  o.right_late_tag = std::move(right_late);
  return std::make_unique<op_t>(key_of{}, key_of{}, ids{}, o);
}

op_t& op_of(harness& h) {
  return static_cast<op_t&>(h.op());
}

std::vector<record<joined>> sorted(std::vector<record<joined>> v) {
  std::sort(v.begin(), v.end(),
            [](auto& a, auto& b) { return std::tie(a.value, a.ts) < std::tie(b.value, b.ts); });
  return v;
}

using R = std::vector<record<joined>>;

// Left element 1 at 10; right elements 2..5 at 7, 8, 13, 14 (between(-2, 3) matches 8..13).
R run_edges(bool lower_inclusive, bool upper_inclusive, bool left_first) {
  harness h(make_op(-2, 3, lower_inclusive, upper_inclusive));
  if (left_first) h.push({0, 1}, 10);
  h.push_second({0, 2}, 7);
  h.push_second({0, 3}, 8);
  h.push_second({0, 4}, 13);
  h.push_second({0, 5}, 14);
  if (!left_first) h.push({0, 1}, 10);
  h.end();
  return sorted(h.output());
}

}  // namespace

TEST_CASE("interval join: inclusive bounds match at both ends, results at the later timestamp") {
  for (bool left_first : {true, false}) {
    CAPTURE(left_first);
    CHECK(run_edges(true, true, left_first) == R{{{1, 3}, 10}, {{1, 4}, 13}});
  }
}

TEST_CASE("interval join: an exclusive bound drops the pair at that bound only") {
  for (bool left_first : {true, false}) {
    CAPTURE(left_first);
    CHECK(run_edges(false, true, left_first) == R{{{1, 4}, 13}});
    CHECK(run_edges(true, false, left_first) == R{{{1, 3}, 10}});
    CHECK(run_edges(false, false, left_first) == R{});
  }
}

TEST_CASE("interval join: positive bounds join only later right elements") {
  harness h(make_op(2, 5));
  h.push_second({0, 2}, 11);  // 1 ms after: too early
  h.push_second({0, 3}, 12);
  h.push({0, 1}, 10);
  h.push_second({0, 4}, 15);
  h.push_second({0, 5}, 16);  // 6 ms after: too late
  h.push_second({0, 6}, 9);   // before the left element
  h.end();
  CHECK(sorted(h.output()) == R{{{1, 3}, 12}, {{1, 4}, 15}});
}

TEST_CASE("interval join: negative bounds join only earlier right elements") {
  harness h(make_op(-5, -2, true, false));  // r in [l - 5, l - 2)
  h.push_second({0, 2}, 4);                 // l - 6
  h.push_second({0, 3}, 5);                 // l - 5
  h.push_second({0, 4}, 7);                 // l - 3
  h.push_second({0, 5}, 8);                 // l - 2: excluded
  h.push({0, 1}, 10);
  h.end();
  CHECK(sorted(h.output()) == R{{{1, 3}, 10}, {{1, 4}, 10}});
}

TEST_CASE("interval join: elements of different keys never meet") {
  harness h(make_op(-10, 10));
  h.push({1, 1}, 10);
  h.push_second({2, 2}, 10);
  h.push_second({1, 3}, 12);
  h.end();
  CHECK(h.output() == R{{{1, 3}, 12}});
}

TEST_CASE("interval join: lower above upper is a configuration error, between(0, 0) is not") {
  CHECK_THROWS_AS(make_op(5, 4), std::invalid_argument);
  CHECK_NOTHROW(make_op(0, 0, false, false));  // valid, but nothing can match
  harness h(make_op(0, 0, false, true));
  h.push({0, 1}, 10);
  h.push_second({0, 2}, 10);
  CHECK(op_of(h).keys_with_state() == 0);  // nothing buffered: nothing could match it
  h.end();
  CHECK(h.output().empty());
  harness same_ts(make_op(0, 0));
  same_ts.push({0, 1}, 10);
  same_ts.push_second({0, 2}, 10);
  CHECK(same_ts.output() == R{{{1, 2}, 10}});
}

TEST_CASE("interval join: late elements go to their side output, or are dropped and counted") {
  harness h(make_op(-10, 10, true, true, "late-left", ""));
  h.push({0, 1}, 20);
  h.push_watermark(20);
  h.push({0, 2}, 19);         // late: ts < watermark
  h.push_second({0, 3}, 19);  // late, no right tag: dropped
  h.push({0, 4}, 20);         // ts == watermark is on time (Flink's isLate)
  h.push_second({0, 5}, 20);
  h.end();
  CHECK(sorted(h.output()) == R{{{1, 5}, 20}, {{4, 5}, 20}});
  auto late = h.side_output<ev>("late-left");
  REQUIRE(late.size() == 1);
  CHECK(late[0].value == ev{0, 2});
  CHECK(late[0].ts == 19);
  CHECK(op_of(h).late_left() == 1);
  CHECK(op_of(h).late_right() == 1);
}

TEST_CASE("interval join: a right element at the watermark still finds the left one at the bound") {
  // Flink removes the left element when the watermark reaches l + upper, losing this pair.
  harness h(make_op(-2, 3));
  h.push({0, 1}, 10);
  h.push_watermark(13);
  h.push_second({0, 2}, 13);  // on time, 10 + 3
  CHECK(h.output() == R{{{1, 2}, 13}});
}

TEST_CASE("interval join: buffers are trimmed by the watermark, and empty at the end") {
  harness h(make_op(-2, 3));
  h.push({0, 1}, 10);         // useful until the watermark passes 13
  h.push_second({1, 2}, 10);  // useful until it passes 12 (left elements from 12 on are too late)
  CHECK(op_of(h).buffered_elements() == 2);
  h.push_watermark(12);
  CHECK(op_of(h).buffered_elements() == 2);
  h.push_watermark(13);
  CHECK(op_of(h).buffered_elements() == 1);
  CHECK(op_of(h).keys_with_state() == 1);
  h.push_watermark(14);
  CHECK(op_of(h).buffered_elements() == 0);
  CHECK(op_of(h).keys_with_state() == 0);
  // An element that nothing still to come can match is not buffered at all.
  h.push({2, 3}, 14);  // l + 3 = 17 > 14: kept
  harness neg(make_op(-5, -2));
  neg.push_watermark(100);
  neg.push({0, 1}, 100);  // r <= 98 would be late: nothing to wait for
  CHECK(op_of(neg).keys_with_state() == 0);
  h.end();
  CHECK(op_of(h).keys_with_state() == 0);
}

TEST_CASE("interval join: the watermark is forwarded 1 ms behind, the final one unchanged") {
  harness h(make_op(-2, 3));
  h.push_watermark(10);
  h.push({0, 1}, 10);  // on time at the watermark
  h.push_second({0, 2}, 10);
  REQUIRE(h.output().size() == 1);
  CHECK(h.output()[0].ts == 10);
  h.end();
  CHECK(h.watermarks() == std::vector<timestamp>{9, max_timestamp});
  CHECK(h.output()[0].ts > h.watermarks()[0]);  // never late downstream
}

TEST_CASE("interval join: all three forms of join function") {
  auto key = key_of{};
  SUBCASE("collector: any number of outputs per pair") {
    auto fn = [](const ev& l, const ev& r, collector<int>& out) {
      if (l.second + r.second > 3) {
        out.collect(l.second);
        out.collect(r.second);
      }
    };
    testing::operator_harness<ev, int, ev> h(
        std::make_unique<interval_join_operator<int, ev, ev, int, key_of, key_of, decltype(fn)>>(
            key, key, fn, interval_join_options{{-5, 5}, {}, {}}));
    h.push({0, 1}, 10);
    h.push_second({0, 2}, 11);  // 1 + 2: nothing
    h.push_second({0, 3}, 12);  // 1 + 3: two outputs
    CHECK(h.values() == std::vector<int>{1, 3});
  }
  SUBCASE("context: both timestamps and the result's") {
    auto fn = [](const ev&, const ev&, const join_context& c, collector<std::string>& out) {
      std::string s = std::to_string(c.left_ts);
      s += ' ';
      s += std::to_string(c.right_ts);
      s += ' ';
      s += std::to_string(c.ts);
      out.collect(std::move(s));
    };
    testing::operator_harness<ev, std::string, ev> h(
        std::make_unique<
            interval_join_operator<int, ev, ev, std::string, key_of, key_of, decltype(fn)>>(
            key, key, fn, interval_join_options{{-5, 5}, {}, {}}));
    h.push_second({0, 2}, 14);
    h.push({0, 1}, 10);
    CHECK(h.values() == std::vector<std::string>{"10 14 14"});
  }
}

TEST_CASE("interval join: snapshot in the middle, restore, and the output is the same") {
  // A fixed stream of both sides and watermarks; cut it at every point.
  struct step {
    int what;  // 0 left, 1 right, 2 watermark
    ev value;
    timestamp ts;
  };
  std::vector<step> steps;
  for (int i = 0; i < 40; ++i) {
    steps.push_back({i % 3 == 0 ? 1 : 0, {i % 2, i}, 10 + i * 3 - (i % 5) * 4});
    if (i % 6 == 5) steps.push_back({2, {}, i * 3});
  }
  auto run = [&](std::size_t cut) {
    harness h(make_op(-12, 9, false, true, "late-left", "late-right"));
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (i == cut)
        h.restore(make_op(-12, 9, false, true, "late-left", "late-right"), h.snapshot());
      auto& s = steps[i];
      if (s.what == 0) h.push(s.value, s.ts);
      if (s.what == 1) h.push_second(s.value, s.ts);
      if (s.what == 2) h.push_watermark(s.ts);
    }
    h.end();
    CHECK(op_of(h).keys_with_state() == 0);
    return std::pair{
        h.output(), h.side_output<ev>("late-left").size() + h.side_output<ev>("late-right").size()};
  };
  auto [expected, late] = run(steps.size());
  CHECK(expected.size() > 15);
  CHECK(late > 0);
  for (std::size_t cut = 0; cut < steps.size(); ++cut) {
    CAPTURE(cut);
    auto [got, got_late] = run(cut);
    CHECK(got == expected);
    CHECK(got_late == late);
  }
}

TEST_CASE("interval join: restored from two instances at once, at the slower watermark") {
  // Instances 0 and 1 of 2 buffer a left element per key of their own at 120; instance 0 has
  // seen watermark 99, instance 1 only 49.
  auto owner = [](int key) { return instance_of_key_group(key_group_of(key, 128), 128, 2); };
  {
    int ones = 0;
    for (int k = 0; k < 8; ++k) ones += owner(k);
    REQUIRE((ones > 0 && ones < 8));  // keys of both instances among 0..7
  }
  std::vector<std::string> pieces;
  for (int i = 0; i < 2; ++i) {
    harness old(make_op(0, 10, true, true, "late-left", "late-right"),
                operator_info{"j", "j", i, 2, 128});
    for (int k = 0; k < 8; ++k)
      if (owner(k) == i) old.push({k, 100 + k}, 120);
    old.push_watermark(i == 0 ? 99 : 49);
    pieces.push_back(old.snapshot());
  }
  for (bool reversed : {false, true}) {
    CAPTURE(reversed);
    harness h(make_op(0, 10), operator_info{"j", "j", 0, 1, 128});
    h.restore(make_op(0, 10, true, true, "late-left", "late-right"),
              reversed ? std::vector<std::string>{pieces[1], pieces[0]} : pieces);
    // Every key's buffered left element meets its right one, once; and at watermark 49 a pair
    // at 55 and 58 of instance 1's keys is on time.
    R expected;
    for (int k = 0; k < 8; ++k) {
      h.push_second({k, 200 + k}, 125);
      expected.push_back({{100 + k, 200 + k}, 125});
      if (owner(k) == 1) {
        h.push({k, 300 + k}, 55);
        h.push_second({k, 400 + k}, 58);
        expected.push_back({{300 + k, 400 + k}, 58});
      }
    }
    h.end();
    CHECK(h.side_output<ev>("late-left").empty());
    CHECK(h.side_output<ev>("late-right").empty());
    CHECK(sorted(h.output()) == sorted(expected));
  }
}
