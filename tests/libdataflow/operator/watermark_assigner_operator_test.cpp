// The watermark assigner through the operator harness: each strategy, re-stamping, ignoring
// upstream watermarks but the final one, and idleness on the harness's manual clock.
#include "dataflow/operator/watermark_assigner_operator.hpp"

#include <doctest/doctest.h>

#include "dataflow/testing/operator_harness.hpp"

using namespace dataflow;
using dataflow::testing::operator_harness;

namespace {

template <class T = int, class F = keep_timestamps>
operator_harness<T, T> assigner(watermark_strategy s, F fn = {}) {
  return operator_harness<T, T>(std::make_unique<watermark_assigner_operator<T, F>>(s, fn));
}

}  // namespace

TEST_CASE("assigner: bounded out-of-orderness, once per batch, never going back") {
  auto h = assigner(watermark_strategy::bounded_out_of_orderness(10));
  h.push_batch({{1, 100}, {2, 130}, {3, 90}});
  CHECK(h.values() == std::vector<int>{1, 2, 3});
  CHECK(h.watermarks() == std::vector<timestamp>{119});
  h.push(4, 125);  // out of order, within the bound: no new watermark
  h.push(5, 200);
  CHECK(h.watermarks() == std::vector<timestamp>{119, 189});
}

TEST_CASE("assigner: monotonous") {
  auto h = assigner(watermark_strategy::monotonous());
  h.push(1, 10);
  h.push(2, 20);
  CHECK(h.watermarks() == std::vector<timestamp>{9, 19});
}

TEST_CASE("assigner: upstream watermarks and statuses are replaced, the final one passes") {
  auto h = assigner(watermark_strategy::monotonous());
  h.push_watermark(1000);
  h.push_watermark_status(watermark_status::idle);
  CHECK(h.watermarks().empty());
  CHECK(h.statuses().empty());
  h.push(1, 50);
  CHECK(h.watermarks() == std::vector<timestamp>{49});
  h.end();
  CHECK(h.watermarks() == std::vector<timestamp>{49, max_timestamp});
}

TEST_CASE("assigner: none emits only the final watermark") {
  auto h = assigner(watermark_strategy::none());
  h.push(1, 50);
  h.push_watermark(60);
  CHECK(h.watermarks().empty());
  h.end();
  CHECK(h.watermarks() == std::vector<timestamp>{max_timestamp});
}

TEST_CASE("assigner: a timestamp function re-stamps records from a field") {
  struct click {
    int user;
    timestamp at;
  };
  auto h = assigner<click>(watermark_strategy::monotonous(), [](const click& c) { return c.at; });
  h.push(click{1, 500}, 0);
  h.push(click{2, 700}, 0);
  REQUIRE(h.output().size() == 2);
  CHECK(h.output()[0].ts == 500);
  CHECK(h.output()[1].ts == 700);
  CHECK(h.watermarks() == std::vector<timestamp>{499, 699});
  // The two-argument form also sees the current timestamp.
  auto shift = assigner(watermark_strategy::monotonous(),
                        [](const int&, timestamp ts) { return ts + 1000; });
  shift.push(1, 5);
  CHECK(shift.output()[0].ts == 1005);
  CHECK(shift.watermarks() == std::vector<timestamp>{1004});
}

TEST_CASE("assigner: punctuated, the watermark rides in the stream") {
  // Negative values are markers carrying a watermark; they pass through as records.
  auto h = assigner(
      watermark_strategy::punctuated<int>([](const int& v, timestamp) -> std::optional<timestamp> {
        if (v < 0) return -v;
        return std::nullopt;
      }));
  h.push_batch({{1, 10}, {2, 900}});
  CHECK(h.watermarks().empty());
  h.push_batch({{3, 20}, {-100, 30}, {4, 40}});
  CHECK(h.watermarks() == std::vector<timestamp>{100});
  h.push(-50, 50);  // an older marker: no regression
  h.push(-300, 60);
  CHECK(h.watermarks() == std::vector<timestamp>{100, 300});
  CHECK(h.values() == std::vector<int>{1, 2, 3, -100, 4, -50, -300});
}

TEST_CASE("assigner: a punctuated strategy for another type is refused") {
  auto s = watermark_strategy::punctuated<std::string>(
      [](const std::string&) { return std::optional<timestamp>{}; });
  CHECK_THROWS_AS(watermark_assigner_operator<int>{s}, std::invalid_argument);
}

TEST_CASE("assigner: idle after the timeout without records, active with the next one") {
  auto h = assigner(watermark_strategy::bounded_out_of_orderness(0).with_idleness(100));
  h.clock().set(1000);  // opened at 0; the first record comes at 1000
  h.push(1, 10);
  CHECK(h.op().next_processing_timer() == 1100);
  h.set_processing_time(1050);
  h.push(2, 20);  // records move the deadline
  CHECK(h.op().next_processing_timer() == 1150);
  h.set_processing_time(1149);
  CHECK(h.statuses().empty());
  h.set_processing_time(1150);
  CHECK(h.statuses() == std::vector<watermark_status>{watermark_status::idle});
  CHECK_FALSE(h.op().next_processing_timer());
  h.set_processing_time(5000);
  CHECK(h.statuses().size() == 1);  // said once
  h.push(3, 15);                    // active again; 15 is behind its own watermark 19: no watermark
  CHECK(h.statuses() ==
        std::vector<watermark_status>{watermark_status::idle, watermark_status::active});
  CHECK(h.watermarks() == std::vector<timestamp>{9, 19});
  h.push(4, 40);
  CHECK(h.watermarks() == std::vector<timestamp>{9, 19, 39});
}
