#include "dataflow/testing/operator_harness.hpp"

#include <doctest/doctest.h>

#include <string>

#include "dataflow/operator/map_operator.hpp"

using namespace dataflow;

namespace {

/// Sums values per key and emits the sum when the watermark passes ts + 10 (an event-time
/// timer), and a heartbeat per key on a processing-time timer.
struct delayed_sum final : keyed_process_function<std::string, int, std::string> {
  void process_element(const int& v, context& ctx) override {
    auto& sum = ctx.state().value<long>("sum");
    sum.update(sum.value_or(0) + v);
    ctx.register_event_time_timer(ctx.ts() + 10);
    if (v < 0) ctx.output(output_tag<int>{"negative"}, v);
    if (v == 7) ctx.register_processing_time_timer(ctx.current_processing_time() + 100);
  }
  void on_timer(timestamp t, time_domain d, context& ctx) override {
    auto& sum = ctx.state().value<long>("sum");
    if (d == time_domain::processing_time) {
      ctx.output(ctx.current_key() + " heartbeat");
      return;
    }
    ctx.output(ctx.current_key() + "=" + std::to_string(sum.value_or(0)) + "@" + std::to_string(t));
  }
};

auto key = [](const int& v) { return v % 2 == 0 ? std::string("even") : std::string("odd"); };

auto make() {
  return testing::make_keyed_process<std::string, int, std::string>(key, delayed_sum{});
}

}  // namespace

TEST_CASE("the harness drives a stateless operator") {
  auto inc = [](int x) { return x + 1; };
  testing::operator_harness<int, int> h(
      std::make_unique<map_operator<int, int, decltype(inc)>>(inc));
  h.push(41, 1000);
  h.push_watermark(999);
  CHECK(h.values() == std::vector<int>{42});
  CHECK(h.output()[0].ts == 1000);
  CHECK(h.watermarks() == std::vector<timestamp>{999});
}

TEST_CASE("keyed state, event-time timers and side outputs through the harness") {
  testing::operator_harness<int, std::string> h(make());
  h.push(2, 100);
  h.push(4, 105);
  h.push(3, 101);
  h.push(-1, 102);
  h.push_watermark(110);
  // Timers at 110 (even, from ts 100) and 111/112 (odd) — only 110 is due.
  CHECK(h.values() == std::vector<std::string>{"even=6@110"});
  h.push_watermark(200);
  CHECK(h.values() ==
        std::vector<std::string>{"even=6@110", "odd=2@111", "odd=2@112", "even=6@115"});
  CHECK(h.watermarks() == std::vector<timestamp>{110, 200});
  auto neg = h.side_output<int>("negative");
  REQUIRE(neg.size() == 1);
  CHECK(neg[0].value == -1);
}

TEST_CASE("processing-time timers fire when the test advances processing time") {
  testing::operator_harness<int, std::string> h(make());
  h.set_processing_time(1000);
  h.push(7, 1);
  h.set_processing_time(1099);
  CHECK(h.values().empty());
  h.set_processing_time(1100);
  CHECK(h.values() == std::vector<std::string>{"odd heartbeat"});
}

TEST_CASE("snapshot in the middle and restore into a new instance gives the same output") {
  auto run = [](bool with_restore) {
    testing::operator_harness<int, std::string> h(make());
    h.push(2, 100);
    h.push(3, 100);
    if (with_restore) {
      auto bytes = h.snapshot();
      h.restore(make(), bytes);
    }
    h.push(4, 120);
    h.end();
    return h.values();
  };
  auto plain = run(false);
  CHECK(plain == std::vector<std::string>{"even=6@110", "odd=3@110", "even=6@130"});
  CHECK(run(true) == plain);
}
