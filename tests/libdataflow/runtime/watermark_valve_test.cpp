#include "dataflow/runtime/watermark_valve.hpp"

#include <doctest/doctest.h>

using namespace dataflow;

TEST_CASE("the valve forwards the minimum over channels, only when it advances") {
  watermark_valve v(2);
  CHECK_FALSE(v.on_watermark(0, 10));  // channel 1 has said nothing
  auto w = v.on_watermark(1, 5);
  REQUIRE(w);
  CHECK(*w == 5);
  CHECK_FALSE(v.on_watermark(1, 5));  // no advance
  CHECK_FALSE(v.on_watermark(1, 3));  // a regression is ignored
  CHECK(*v.on_watermark(1, 20) == 10);
  CHECK(v.current() == 10);
}

TEST_CASE("ended and idle channels leave the minimum") {
  watermark_valve v(3);
  v.on_watermark(0, 100);
  v.on_watermark(1, 50);
  CHECK(*v.on_watermark(2, 10) == 10);
  CHECK(*v.on_end(2) == 50);
  CHECK(*v.set_idle(1, true) == 100);
  CHECK_FALSE(v.on_watermark(1, 60));  // back, but behind: no regression downstream
  CHECK(v.current() == 100);
  CHECK_FALSE(v.on_watermark(1, 150));  // min(100, 150) did not advance
  CHECK(*v.on_watermark(0, 200) == 150);
}

TEST_CASE("when every channel ends the valve reaches the end of time") {
  watermark_valve v(2);
  v.on_watermark(0, 1);
  v.on_watermark(1, 2);
  CHECK(*v.on_end(0) == 2);
  CHECK(*v.on_end(1) == max_timestamp);
}

TEST_CASE("all channels idle: time stands still") {
  watermark_valve v(2);
  v.on_watermark(0, 5);
  v.on_watermark(1, 7);
  v.set_idle(0, true);
  CHECK_FALSE(v.set_idle(1, true));
  CHECK(v.current() == 7);
}

TEST_CASE("the valve's status is idle when every live channel is, active with any") {
  watermark_valve v(3);
  CHECK(v.status() == watermark_status::active);
  v.set_idle(0, true);
  v.set_idle(1, true);
  CHECK(v.status() == watermark_status::active);
  v.on_end(2);
  CHECK(v.status() == watermark_status::idle);
  v.on_status(1, watermark_status::active);
  CHECK(v.status() == watermark_status::active);
  v.on_end(0);
  v.on_end(1);
  CHECK(v.status() == watermark_status::active);  // all ended: over, not idle
}

TEST_CASE("a rejoining channel behind the valve is late, not a regression") {
  // Flink's alignment: the channel takes part in the minimum again only once it caught up,
  // and meanwhile the other channels move the watermark on.
  watermark_valve v(2);
  v.on_watermark(0, 100);
  CHECK(*v.on_watermark(1, 100) == 100);
  CHECK_FALSE(v.set_idle(1, true));  // the minimum stays where channel 0 is
  CHECK(*v.on_watermark(0, 300) == 300);
  CHECK_FALSE(v.set_idle(1, false));  // back at 100, behind 300: not aligned
  CHECK(v.current() == 300);
  CHECK(*v.on_watermark(0, 400) == 400);  // channel 1 does not hold time back while behind
  CHECK_FALSE(v.on_watermark(1, 350));
  CHECK_FALSE(v.on_watermark(1, 420));    // caught up: aligned, min(400, 420) = 400
  CHECK(*v.on_watermark(0, 500) == 420);  // now channel 1 holds the minimum again
  CHECK(v.current() == 420);
}

TEST_CASE("when the last active channel goes idle the valve moves to the highest watermark") {
  watermark_valve v(2);
  v.on_watermark(0, 10);
  CHECK(*v.on_watermark(1, 50) == 10);
  CHECK_FALSE(v.set_idle(1, true));   // channel 0 still holds the minimum at 10
  CHECK(*v.set_idle(0, true) == 50);  // nothing will advance now: flush to 50
  CHECK(v.status() == watermark_status::idle);
  // Channel 0 comes back at 20: behind, so late; it rejoins the minimum at 50.
  CHECK_FALSE(v.on_status(0, watermark_status::active));
  CHECK_FALSE(v.on_watermark(0, 20));
  CHECK(*v.on_watermark(0, 60) == 60);
}

TEST_CASE("the last active channel ending while the others are idle flushes too") {
  watermark_valve v(2);
  v.on_watermark(0, 10);
  CHECK(*v.on_watermark(1, 70) == 10);
  v.set_idle(1, true);
  CHECK(*v.on_end(0) == 70);
  CHECK(v.status() == watermark_status::idle);
  CHECK(*v.on_end(1) == max_timestamp);
}
