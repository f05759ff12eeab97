// The window join operator's rules through the operator harness: pairs of a tumbling or sliding
// window are joined when it fires, with timestamp end - 1; late elements are counted; elements
// are dropped when their last window has fired; snapshot / restore in the middle.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/join/window_join_operator.hpp"
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

using op_t = window_join_operator<int, ev, ev, joined, key_of, key_of, ids>;
using harness = testing::operator_harness<ev, joined, ev>;
using R = std::vector<record<joined>>;

std::unique_ptr<op_t> make_op(sliced_geometry g) {
  return std::make_unique<op_t>(key_of{}, key_of{}, ids{}, g);
}
op_t& op_of(harness& h) {
  return static_cast<op_t&>(h.op());
}
R sorted(R v) {
  std::sort(v.begin(), v.end(),
            [](auto& a, auto& b) { return std::tie(a.value, a.ts) < std::tie(b.value, b.ts); });
  return v;
}

}  // namespace

TEST_CASE("window join: pairs of a tumbling window are emitted when it fires, at end - 1") {
  harness h(make_op(sliced_geometry::of(tumbling_windows(10))));
  h.push({0, 1}, 3);
  h.push({0, 2}, 9);
  h.push_second({0, 3}, 0);
  h.push_second({0, 4}, 10);  // next window
  h.push_second({1, 5}, 5);   // other key
  h.push_watermark(8);
  CHECK(h.output().empty());
  h.push_watermark(9);
  CHECK(sorted(h.output()) == R{{{1, 3}, 9}, {{2, 3}, 9}});
  CHECK(h.watermarks() == std::vector<timestamp>{8, 9});
  h.push({0, 6}, 19);
  h.end();
  CHECK(sorted(h.output()) == R{{{1, 3}, 9}, {{2, 3}, 9}, {{6, 4}, 19}});
  CHECK(op_of(h).keys_with_state() == 0);
}

TEST_CASE("window join: offsets and negative timestamps follow the window grid") {
  harness h(make_op(sliced_geometry::of(tumbling_windows(10, 3))));  // [-7, 3), [3, 13)
  h.push({0, 1}, -7);
  h.push_second({0, 2}, 2);
  h.push_second({0, 3}, 3);
  h.end();
  CHECK(h.output() == R{{{1, 2}, 2}});
}

TEST_CASE("window join: a pair in two sliding windows is joined in each") {
  harness h(make_op(sliced_geometry::of(sliding_windows(10, 5))));
  h.push({0, 1}, 6);          // windows [0, 10), [5, 15)
  h.push_second({0, 2}, 8);   // the same two
  h.push_second({0, 3}, 12);  // [5, 15), [10, 20)
  h.end();
  CHECK(sorted(h.output()) == R{{{1, 2}, 9}, {{1, 2}, 14}, {{1, 3}, 14}});
}

TEST_CASE("window join: late elements are dropped and counted, partly late ones join the rest") {
  harness h(make_op(sliced_geometry::of(sliding_windows(10, 5))));
  h.push({0, 1}, 7);
  h.push_watermark(9);       // [0, 10) fires: nothing on the right yet
  h.push_second({0, 2}, 8);  // too late for [0, 10), on time for [5, 15)
  h.push_second({0, 3}, 4);  // every window of 4 ([-5, 5), [0, 10)) has fired: late
  h.push({0, 4}, 0);         // late as well
  CHECK(op_of(h).late_left() == 1);
  CHECK(op_of(h).late_right() == 1);
  h.end();
  CHECK(h.output() == R{{{1, 2}, 14}});
}

TEST_CASE("window join: an element is kept until its last window fired") {
  harness h(make_op(sliced_geometry::of(sliding_windows(10, 5))));
  h.push({0, 1}, 7);  // last window [5, 15)
  h.push_watermark(9);
  CHECK(op_of(h).buffered_elements() == 1);
  h.push_watermark(13);
  CHECK(op_of(h).buffered_elements() == 1);
  h.push_watermark(14);
  CHECK(op_of(h).buffered_elements() == 0);
  CHECK(op_of(h).keys_with_state() == 0);
}

TEST_CASE("window join: empty stretches of time cost nothing, windows are found by element") {
  harness h(make_op(sliced_geometry::of(sliding_windows(4, 1))));
  h.push({0, 1}, 0);
  h.push_second({0, 2}, 1'000'000'000);
  h.push({0, 3}, 1'000'000'002);
  h.end();  // the final watermark walks only the windows that hold elements
  // Windows starting at 999'999'999 and 1'000'000'000 hold both 2 and 3.
  CHECK(sorted(h.output()) == R{{{3, 2}, 1'000'000'002}, {{3, 2}, 1'000'000'003}});
}

TEST_CASE("window join: snapshot in the middle, restore, and the output is the same") {
  struct step {
    int what;  // 0 left, 1 right, 2 watermark
    ev value;
    timestamp ts;
  };
  std::vector<step> steps;
  for (int i = 0; i < 50; ++i) {
    steps.push_back({i % 3 == 0 ? 1 : 0, {i % 4, i}, i * 2 - (i % 5) * 3});
    if (i % 7 == 6) steps.push_back({2, {}, i * 2 - 6});
  }
  const auto g = sliced_geometry::of(sliding_windows(12, 4, 1));
  auto run = [&](std::size_t cut) {
    harness h(make_op(g));
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (i == cut) h.restore(make_op(g), h.snapshot());
      auto& s = steps[i];
      if (s.what == 0) h.push(s.value, s.ts);
      if (s.what == 1) h.push_second(s.value, s.ts);
      if (s.what == 2) h.push_watermark(s.ts);
    }
    h.end();
    CHECK(op_of(h).keys_with_state() == 0);
    return std::pair{sorted(h.output()), op_of(h).late_left() + op_of(h).late_right()};
  };
  auto [expected, late] = run(steps.size());
  CHECK(expected.size() > 30);
  for (std::size_t cut = 0; cut < steps.size(); ++cut) {
    CAPTURE(cut);
    auto [got, got_late] = run(cut);
    CHECK(got == expected);
    if (cut == 0) CHECK(got_late == late);
  }
}
