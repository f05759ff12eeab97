// The latency probe of `content_metrics run --latency`: a window is released when every source
// instance has generated a record at or past its end plus the watermark delay, at the latest
// of those instants; nothing else releases it.
#include <doctest/doctest.h>

#include "window_release_clock.hpp"

using namespace dataflow;
using namespace dataflow::apps;

namespace {

/// A steady clock that the test sets, and how often it was read.
struct fake_now {
  std::int64_t t = 0;
  int reads = 0;
  auto fn() {
    return [this] {
      ++reads;
      return t;
    };
  }
};

}  // namespace

TEST_CASE(
    "window release clock: one instance releases a window at its first record past end + delay") {
  window_release_clock c(/*first_end=*/60'000, /*slide=*/60'000, /*delay=*/5'000, /*count=*/3, 1);
  fake_now now;
  now.t = 100;
  c.on_generated(0, 64'999, now.fn());  // watermark 59'998: the window [.., 60'000) is open
  CHECK_FALSE(c.released_at(60'000));
  CHECK(now.reads == 0);  // the clock is read only when a window completes
  now.t = 200;
  c.on_generated(0, 65'000, now.fn());  // watermark 59'999 = end - 1
  CHECK(c.released_at(60'000) == 200);
  now.t = 300;
  c.on_generated(0, 65'001, now.fn());  // later records do not move a released window
  CHECK(c.released_at(60'000) == 200);
  CHECK_FALSE(c.released_at(120'000));
  CHECK(now.reads == 1);
  // A record far ahead releases every window it passes at once.
  now.t = 400;
  c.on_generated(0, 200'000, now.fn());
  CHECK(c.released_at(120'000) == 400);
  CHECK(c.released_at(180'000) == 400);
  // Not on the grid, or past the windows followed: never released.
  CHECK_FALSE(c.released_at(90'000));
  CHECK_FALSE(c.released_at(240'000));
  CHECK_FALSE(c.released_at(0));
}

TEST_CASE("window release clock: with two instances a window is released by the later one") {
  window_release_clock c(60'000, 60'000, 5'000, 2, 2);
  fake_now now;
  now.t = 10;
  c.on_generated(1, 70'000, now.fn());
  CHECK_FALSE(c.released_at(60'000));  // instance 0 still holds the watermark back
  now.t = 25;
  c.on_generated(0, 64'000, now.fn());
  CHECK_FALSE(c.released_at(60'000));
  now.t = 30;
  c.on_generated(0, 66'000, now.fn());
  CHECK(c.released_at(60'000) == 30);
  // A delayed record (smaller timestamp) releases nothing; the later instance's record does.
  now.t = 40;
  c.on_generated(0, 130'000, now.fn());
  now.t = 50;
  c.on_generated(1, 10'000, now.fn());
  CHECK_FALSE(c.released_at(120'000));
  now.t = 60;
  c.on_generated(1, 125'000, now.fn());
  CHECK(c.released_at(120'000) == 60);
}
