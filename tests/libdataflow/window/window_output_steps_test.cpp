// A watermark that fires many windows is served in steps (held-back output, see operator.hpp):
// each step is bounded, every result comes after the watermarks sent before it, and the steps
// together equal the output of one call.
#include <doctest/doctest.h>

#include <algorithm>
#include <tuple>
#include <vector>

#include "../../keyed_value.hpp"
#include "dataflow/window/key_timer_queue.hpp"
#include "dataflow/window/window_operator_factory.hpp"

using namespace dataflow;

namespace {

using ev = testing::keyed_value;

using result = window_result<int, std::int64_t>;

std::unique_ptr<operator_base> make(std::size_t step, duration_ms size = 100,
                                    duration_ms slide = 10) {
  window_options o;
  o.max_output_per_step = step;
  return make_window_aggregate<ev>([](const ev& e) { return e.key; }, sliding_windows(size, slide),
                                   agg::sum(&ev::v), o);
}

struct step_output {
  std::vector<record<result>> records;
  std::optional<timestamp> watermark;
};

/// Feeds `n` keys with one element each at ts 5 + key, then watermark `wm`, and returns each
/// step's output.
std::vector<step_output> run(operator_base& op, int keys, timestamp wm) {
  op.open({});
  operator_output out(&record_type_of<result>());
  std::vector<record<ev>> in;
  for (int k = 0; k < keys; ++k) in.push_back({ev{k, k + 1}, 5 + k});
  batch<ev> b(std::move(in));
  op.on_batch(0, b, out);
  std::vector<step_output> steps;
  auto take = [&] {
    step_output s;
    if (out.has_main()) s.records = out.records<result>();
    s.watermark = out.watermark();
    steps.push_back(std::move(s));
    out.clear();
  };
  out.clear();
  op.on_watermark(wm, out);
  take();
  while (op.has_pending_output()) {
    op.resume(out);
    take();
  }
  return steps;
}

std::vector<std::tuple<int, timestamp, std::int64_t, timestamp>> flat(
    const std::vector<step_output>& steps) {
  std::vector<std::tuple<int, timestamp, std::int64_t, timestamp>> v;
  for (auto& s : steps)
    for (auto& r : s.records) v.emplace_back(r.value.key, r.value.window.end, r.value.value, r.ts);
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("a watermark that fires many windows is served in bounded steps") {
  auto one = make(1'000'000);
  auto stepped = make(25);
  const int keys = 40;  // each key fires 10 windows at the final watermark
  auto whole = run(*one, keys, max_timestamp);
  auto steps = run(*stepped, keys, max_timestamp);
  REQUIRE(whole.size() == 1);
  REQUIRE(flat(whole).size() == keys * 10);
  CHECK(flat(steps) == flat(whole));
  // Whole keys per step: at most step + 10 - 1 results, and more than one step.
  CHECK(steps.size() >= keys * 10 / (25 + 9));
  timestamp sent = min_timestamp;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    CHECK(steps[i].records.size() <= 25 + 9);
    for (auto& r : steps[i].records) CHECK(r.ts > sent);  // nothing behind a watermark sent
    if (steps[i].watermark) {
      CHECK(*steps[i].watermark > sent);
      sent = *steps[i].watermark;
    }
  }
  CHECK(sent == max_timestamp);
  CHECK(steps.back().watermark == max_timestamp);
  CHECK_FALSE(stepped->has_pending_output());
}

TEST_CASE("a watermark within the step size is served in one call") {
  auto op = make(25);
  auto steps = run(*op, 2, 9);  // fires [-90, 10) for both keys
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].records.size() == 2);
  CHECK(steps[0].watermark == 9);
}

TEST_CASE("key_timer_queue: a pop that stops goes on where it stopped, with entries added") {
  key_timer_queue<int> q;
  for (int k = 0; k < 5; ++k) q.add(10, k);
  q.add(20, 7);
  std::vector<std::pair<timestamp, int>> seen;
  int budget = 2;
  auto fn = [&](timestamp t, int k) {
    seen.emplace_back(t, k);
    if (k == 1) q.add(10, 9);  // same time: served in this pass
    if (k == 3) q.add(5, 8);   // earlier than the bucket being served
  };
  auto stop = [&] { return static_cast<int>(seen.size()) % budget == 0; };
  CHECK_FALSE(q.pop_until(30, fn, stop));
  CHECK(seen.size() == 2);
  CHECK_FALSE(q.pop_until(30, fn, stop));
  CHECK(seen.size() == 4);
  // (5, 8) was added while time 10 was half served; it goes first now, and 10 goes on after.
  while (!q.pop_until(30, fn, stop)) {
  }
  CHECK(seen == std::vector<std::pair<timestamp, int>>{
                    {10, 0}, {10, 1}, {10, 2}, {10, 3}, {5, 8}, {10, 4}, {10, 9}, {20, 7}});
  CHECK(q.empty());
}
