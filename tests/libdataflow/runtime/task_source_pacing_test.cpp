// How often a source task polls a source that has nothing due: no sooner than the buffer
// timeout after its last poll, so a slow source's records leave in one batch per timeout
// instead of one per millisecond. Driven by hand on the task's clock with a rate-limited
// generator (one record per millisecond).
#include <doctest/doctest.h>

#include <chrono>
#include <vector>

#include "dataflow/runtime/task.hpp"
#include "dataflow/source/generator_source.hpp"
#include "fake_task_io.hpp"

using namespace dataflow;

namespace {

class fake_io final : public testing::fake_task_io {
 public:
  std::vector<timestamp> polls_at;       // schedule_poll_at calls
  int polls_soon = 0;                    // schedule_poll calls
  std::vector<std::size_t> batch_sizes;  // batches sent

  void schedule_poll() override { ++polls_soon; }
  void schedule_poll_at(timestamp t) override { polls_at.push_back(t); }
  void send(int, std::uint32_t, channel_event&& ev) override {
    if (ev.what == channel_event::kind::batch) batch_sizes.push_back(ev.records->size());
  }
};

/// A source task of a generator limited to 1,000 records/s, sending on channel 9 to task 5.
task_spec paced_source(std::chrono::microseconds buffer_timeout) {
  task_spec spec;
  spec.name = "paced source";
  generator_options g;
  g.rate = 1000;
  spec.source = std::make_unique<generator_source_reader<int>>(
      [](std::uint64_t i) {
        return record<int>{static_cast<int>(i), static_cast<timestamp>(i)};
      },
      g);
  spec.source_type = &record_type_of<int>();
  output_gate::edge_spec e;
  e.route = std::make_unique<forward_router>();
  e.type = &record_type_of<int>();
  e.channels = {{9, 5}};
  spec.outputs.push_back(std::move(e));
  spec.channels.buffer_timeout = buffer_timeout;
  return spec;
}

/// Polls until the source waits, then flushes what the poll left in a partial batch.
void poll_until_wait(task& t, fake_io& io) {
  const auto waits = io.polls_at.size();
  for (int i = 0; i < 10 && io.polls_at.size() == waits; ++i) t.on_poll();
  REQUIRE(io.polls_at.size() == waits + 1);
  t.on_flush();
}

}  // namespace

TEST_CASE("a waiting source polls again after the buffer timeout and sends what came meanwhile") {
  fake_io io;
  task t(paced_source(std::chrono::milliseconds(5)), io);
  io.clock = 1'000;
  t.start();
  poll_until_wait(t, io);  // the first record is due at once; the next at 1,001
  CHECK(io.polls_at.back() == 1'005);
  CHECK(io.batch_sizes == std::vector<std::size_t>{1});
  for (timestamp now = 1'005; now <= 1'020; now += 5) {
    io.clock = now;
    poll_until_wait(t, io);
    CHECK(io.polls_at.back() == now + 5);
    CHECK(io.batch_sizes.back() == 5);  // the records due in the 5 ms since the last poll
  }
  CHECK(io.batch_sizes.size() == 5);
}

TEST_CASE("with the default buffer timeout a waiting source polls when its next record is due") {
  fake_io io;
  task t(paced_source(channel_options{}.buffer_timeout), io);
  io.clock = 1'000;
  t.start();
  poll_until_wait(t, io);
  CHECK(io.polls_at.back() == 1'001);
  io.clock = 1'001;
  poll_until_wait(t, io);
  CHECK(io.polls_at.back() == 1'002);
  CHECK(io.batch_sizes == std::vector<std::size_t>{1, 1});
}

TEST_CASE("a source's poll interval is the buffer timeout rounded up to whole milliseconds") {
  fake_io io;
  task t(paced_source(std::chrono::microseconds(1'500)), io);
  io.clock = 1'000;
  t.start();
  poll_until_wait(t, io);
  CHECK(io.polls_at.back() == 1'002);
}

TEST_CASE("a source that waits longer than the buffer timeout is polled when it asked") {
  fake_io io;
  auto spec = paced_source(std::chrono::milliseconds(5));
  generator_options slow;
  slow.rate = 10;  // one record per 100 ms
  spec.source = std::make_unique<generator_source_reader<int>>(
      [](std::uint64_t i) {
        return record<int>{static_cast<int>(i), static_cast<timestamp>(i)};
      },
      slow);
  task t(std::move(spec), io);
  io.clock = 1'000;
  t.start();
  poll_until_wait(t, io);
  CHECK(io.polls_at.back() == 1'100);
}

namespace {

/// Has nothing due and asks to be polled again at once.
class always_waiting_reader final : public source_reader {
 public:
  poll_result poll(operator_output&, std::size_t, timestamp now) override {
    ++polls;
    return {poll_result::kind::wait, now};
  }
  std::uint64_t position() const noexcept override { return 0; }
  int polls = 0;
};

}  // namespace

TEST_CASE("a source that asks to be polled at once is polled after the buffer timeout") {
  fake_io io;
  auto spec = paced_source(std::chrono::milliseconds(5));
  spec.source = std::make_unique<always_waiting_reader>();
  task t(std::move(spec), io);
  io.clock = 1'000;
  t.start();
  t.on_poll();
  REQUIRE(io.polls_at.size() == 1);
  CHECK(io.polls_at.back() == 1'005);  // not 1,000: that would spin
  io.clock = 1'005;
  t.on_poll();
  CHECK(io.polls_at.back() == 1'010);
}
