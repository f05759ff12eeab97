// Each watermark strategy on its own: what the generator emits for a sequence of timestamps,
// and when idleness (in processing time, given by hand) starts and ends.
#include "dataflow/time/watermark_strategy.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace dataflow;

namespace {

/// Feeds `ts` one at a time and returns what poll() said after each.
std::vector<std::optional<timestamp>> run(watermark_generator& g, std::vector<timestamp> ts) {
  std::vector<std::optional<timestamp>> out;
  for (auto t : ts) {
    g.on_event(t);
    out.push_back(g.poll());
  }
  return out;
}

}  // namespace

TEST_CASE("none emits no watermark") {
  watermark_generator g(watermark_strategy::none());
  for (auto w : run(g, {1, 5, 100})) CHECK_FALSE(w);
  CHECK(g.current() == min_timestamp);
}

TEST_CASE("monotonous: the watermark is the largest timestamp minus one, never going back") {
  watermark_generator g(watermark_strategy::monotonous());
  CHECK_FALSE(g.poll());  // nothing seen yet
  auto w = run(g, {10, 20, 15, 20, 21});
  CHECK(w[0] == 9);
  CHECK(w[1] == 19);
  CHECK_FALSE(w[2]);  // 15 is behind: no regression
  CHECK_FALSE(w[3]);  // no advance
  CHECK(w[4] == 20);
}

TEST_CASE("bounded out-of-orderness lags the largest timestamp by the bound plus one") {
  watermark_generator g(watermark_strategy::bounded_out_of_orderness(100));
  auto w = run(g, {1000, 950, 1200, 1100});
  CHECK(w[0] == 899);
  CHECK_FALSE(w[1]);
  CHECK(w[2] == 1099);
  CHECK_FALSE(w[3]);
  CHECK(g.current() == 1099);
}

TEST_CASE("punctuated: the records carry the watermarks") {
  // A record whose text starts with "wm:" carries a watermark; the others carry data.
  auto s = watermark_strategy::punctuated<std::string>(
      [](const std::string& v, timestamp) -> std::optional<timestamp> {
        if (v.rfind("wm:", 0) == 0) return std::stoll(v.substr(3));
        return std::nullopt;
      });
  CHECK(s.what() == watermark_strategy::kind::punctuated);
  CHECK(s.accepts<std::string>());
  CHECK_FALSE(s.accepts<int>());
  watermark_generator g(s);
  g.on_record(std::string("a"), 500);
  CHECK_FALSE(g.poll());  // timestamps alone make no watermark
  g.on_record(std::string("wm:100"), 501);
  CHECK(g.poll() == 100);
  g.on_record(std::string("wm:50"), 502);
  CHECK_FALSE(g.poll());  // a smaller punctuation does not move it back
  g.on_record(std::string("wm:300"), 503);
  g.on_record(std::string("wm:200"), 504);
  CHECK(g.poll() == 300);  // the largest since the last poll
  CHECK_THROWS_AS(g.on_record(42, 1), std::invalid_argument);
}

TEST_CASE("punctuated may look at the timestamp, or only at the value") {
  struct event {
    bool heartbeat;
  };
  // Every heartbeat promises that nothing older than itself follows.
  auto by_ts = watermark_strategy::punctuated<event>(
      [](const event& e, timestamp ts) -> std::optional<timestamp> {
        if (e.heartbeat) return ts;
        return std::nullopt;
      });
  watermark_generator g(by_ts);
  g.on_record(event{false}, 10);
  g.on_record(event{true}, 20);
  CHECK(g.poll() == 20);
  auto by_value = watermark_strategy::punctuated<int>(
      [](const int& v) { return v < 0 ? std::optional<timestamp>(-v) : std::nullopt; });
  watermark_generator h(by_value);
  h.on_record(7, 1);
  h.on_record(-40, 2);
  CHECK(h.poll() == 40);
}

TEST_CASE("with_idleness keeps the strategy and adds the timeout") {
  auto s = watermark_strategy::bounded_out_of_orderness(5).with_idleness(1000);
  CHECK(s.what() == watermark_strategy::kind::bounded_out_of_orderness);
  CHECK(s.max_delay() == 5);
  CHECK(s.idle_timeout() == 1000);
  CHECK(watermark_strategy::monotonous().idle_timeout() == 0);
  CHECK(watermark_strategy::monotonous().with_idleness(-3).idle_timeout() == 0);
}

TEST_CASE("idleness: silent for the timeout makes the input idle, a record makes it active") {
  watermark_generator g(watermark_strategy::monotonous().with_idleness(100));
  g.start(1000);
  CHECK(g.idle_deadline() == 1100);
  CHECK_FALSE(g.check_idle(1099));
  CHECK(g.check_idle(1100));
  CHECK(g.idle());
  CHECK_FALSE(g.idle_deadline());   // nothing to wait for while idle
  CHECK_FALSE(g.check_idle(5000));  // reported once
  g.on_event(7);
  CHECK(g.mark_active(5000));
  CHECK_FALSE(g.idle());
  CHECK(g.poll() == 6);
  CHECK(g.idle_deadline() == 5100);
  CHECK_FALSE(g.mark_active(5050));  // already active; the deadline moves
  CHECK(g.idle_deadline() == 5150);
  CHECK_FALSE(g.check_idle(5149));
}

TEST_CASE("without a timeout an input is never idle") {
  watermark_generator g(watermark_strategy::monotonous());
  g.start(0);
  CHECK_FALSE(g.check_idle(1'000'000'000));
  CHECK_FALSE(g.idle_deadline());
}

TEST_CASE("an idleness clock that was never started starts at the first check") {
  watermark_generator g(watermark_strategy::none().with_idleness(10));
  CHECK_FALSE(g.idle_deadline());
  CHECK_FALSE(g.check_idle(1'700'000'000'000));
  CHECK(g.idle_deadline() == 1'700'000'000'010);
  CHECK(g.check_idle(1'700'000'000'010));
}
