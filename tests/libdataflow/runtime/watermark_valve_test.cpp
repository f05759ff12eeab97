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
