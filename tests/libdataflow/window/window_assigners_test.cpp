#include "dataflow/window/window_assigners.hpp"

#include <doctest/doctest.h>

using namespace dataflow;

TEST_CASE("window starts follow Flink's formula, also with offsets and negative timestamps") {
  CHECK(window_start(0, 0, 5000) == 0);
  CHECK(window_start(4999, 0, 5000) == 0);
  CHECK(window_start(5000, 0, 5000) == 5000);
  CHECK(window_start(-1, 0, 5000) == -5000);
  CHECK(window_start(-5000, 0, 5000) == -5000);
  CHECK(window_start(-5001, 0, 5000) == -10000);
  CHECK(window_start(500, 1000, 5000) == -4000);
  CHECK(window_start(1000, 1000, 5000) == 1000);
  CHECK(window_start(999, -1000, 5000) == -1000);
  // A day in UTC+8: offset -8 h puts the start at local midnight.
  const duration_ms day = 86'400'000, eight_hours = 28'800'000;
  CHECK(window_start(1'661'817'600'000 + 1, -eight_hours, day) == 1'661'788'800'000);
}

TEST_CASE("tumbling windows span start to start + size and fire at end - 1") {
  tumbling_windows t(60'000);
  REQUIRE(t.validate());
  auto w = t.assign(61'234);
  CHECK(w.start == 60'000);
  CHECK(w.end == 120'000);
  CHECK(w.max_timestamp() == 119'999);
  CHECK(w.contains(60'000));
  CHECK_FALSE(w.contains(120'000));
  CHECK(tumbling_windows(0).validate().code() == errc::invalid_configuration);
  CHECK(tumbling_windows(10, 10).validate().message().find("offset") != std::string::npos);
}

TEST_CASE("sliding windows: every window containing the element, latest start first") {
  sliding_windows s(10'000, 5'000);
  REQUIRE(s.validate());
  auto ws = s.assign(7'000);
  REQUIRE(ws.size() == 2);
  CHECK(ws[0] == time_window{5'000, 15'000});
  CHECK(ws[1] == time_window{0, 10'000});
  // -1 lies in [-2, 1) only: [-4, -1) ends before it.
  CHECK(sliding_windows(3, 2).assign(-1) == std::vector<time_window>{{-2, 1}});
  // Reference: a window of size n * slide holds n windows per element.
  sliding_windows week(7 * 86'400'000LL, 60'000);
  CHECK(week.assign(123'456'789).size() == 10'080);
}

TEST_CASE("slices: each element in exactly one, and windows are unions of whole slices") {
  sliding_windows s(10'000, 4'000, 1'000);
  CHECK(s.slice_size() == 2'000);
  for (timestamp ts = -20'000; ts < 20'000; ts += 333) {
    auto slice = s.slice_of(ts);
    CHECK(slice.contains(ts));
    s.for_each_window(ts, [&](const time_window& w) {
      CHECK((w.start - slice.start) % s.slice_size() == 0);
      CHECK((w.end - slice.end) % s.slice_size() == 0);
      CHECK(w.start <= slice.start);
      CHECK(slice.end <= w.end);
    });
  }
}

TEST_CASE("sessions merge when windows overlap or touch") {
  session_windows g(10);
  REQUIRE(g.validate());
  std::vector<time_window> ws{g.assign(100), g.assign(50), g.assign(105), g.assign(115),
                              g.assign(200)};
  auto merged = merge_windows(ws);
  REQUIRE(merged.size() == 3);
  CHECK(merged[0].window == time_window{50, 60});
  CHECK(merged[1].window == time_window{100, 125});  // 100-110, 105-115, 115-125 (touching)
  CHECK(merged[1].sources == std::vector<std::size_t>{0, 2, 3});
  CHECK(merged[2].window == time_window{200, 210});
  CHECK(session_windows(0).validate().code() == errc::invalid_configuration);
}
