// Watermark status through a task, driven by hand: the valve leaves idle inputs out, the task
// tells downstream when it goes idle or active, a chained assigner's idleness timer runs on the
// task's clock, and nothing that leaves the task goes backwards.
#include <doctest/doctest.h>

#include <variant>

#include "dataflow/operator/union_operator.hpp"
#include "dataflow/operator/watermark_assigner_operator.hpp"
#include "dataflow/runtime/task.hpp"
#include "fake_task_io.hpp"
#include "one_operator_task.hpp"

using namespace dataflow;
using testing::ints;

namespace {

using sent = std::variant<std::size_t /*records*/, timestamp, watermark_status>;

/// task_io that records what the task sends and asks for; time is set by hand.
class fake_io final : public testing::fake_task_io {
 public:
  std::vector<sent> out;
  std::vector<timestamp> timers;

  void send(int, std::uint32_t, channel_event&& ev) override {
    switch (ev.what) {
      case channel_event::kind::batch:
        out.emplace_back(ev.records->size());
        break;
      case channel_event::kind::watermark:
        out.emplace_back(timestamp{ev.value});
        break;
      case channel_event::kind::status:
        out.emplace_back(static_cast<watermark_status>(ev.value));
        break;
      case channel_event::kind::barrier:
      case channel_event::kind::end:
        break;
    }
  }
  void schedule_timer_at(timestamp t) override { timers.push_back(t); }
};

class io_clock final : public processing_clock {
 public:
  explicit io_clock(const fake_io& io) : io_(&io) {}
  timestamp now() const override { return io_->clock; }

 private:
  const fake_io* io_;
};

/// One operator, fed by channels 1 and 2 (from tasks 10 and 11), sending on channel 9.
task_spec one_operator_task(std::unique_ptr<operator_base> op, const processing_clock* clock) {
  return testing::one_operator_task(std::move(op), 2, channel_options{}.credits, clock);
}

}  // namespace

TEST_CASE("a task leaves idle inputs out, says when it is idle, and never goes back") {
  fake_io io;
  task t(one_operator_task(std::make_unique<union_operator<int>>(), nullptr), io);
  t.start();
  t.on_watermark(1, 100);
  t.on_watermark(2, 50);
  t.on_watermark_status(2, watermark_status::idle);    // 50 leaves: 100
  t.on_watermark_status(1, watermark_status::idle);    // all idle: downstream excludes us
  t.on_watermark_status(2, watermark_status::active);  // back, its watermark 50 is behind
  t.on_batch(2, ints({{7, 60}}));                      // a late record passes through
  t.on_watermark(2, 80);                               // still behind 100: nothing
  t.on_watermark(2, 120);                              // caught up
  CHECK(io.out == std::vector<sent>{timestamp{50}, timestamp{100}, watermark_status::idle,
                                    watermark_status::active, std::size_t{1}, timestamp{120}});
  t.on_end(1);
  t.on_end(2);
  CHECK(std::get<timestamp>(io.out.back()) == max_timestamp);
}

TEST_CASE("a watermark from an idle input makes the task active again before it") {
  fake_io io;
  task t(one_operator_task(std::make_unique<union_operator<int>>(), nullptr), io);
  t.start();
  t.on_watermark_status(1, watermark_status::idle);
  t.on_watermark_status(2, watermark_status::idle);
  t.on_watermark(1, 10);  // input 2 is still idle: input 1 alone sets the minimum
  CHECK(io.out ==
        std::vector<sent>{watermark_status::idle, watermark_status::active, timestamp{10}});
  t.on_watermark(2, 20);  // rejoins; min(10, 20) did not advance
  CHECK(io.out.size() == 3);
}

TEST_CASE("a chained assigner goes idle on the task's timer and ignores upstream idleness") {
  fake_io io;
  io.clock = 1000;
  io_clock clock(io);
  task t(one_operator_task(std::make_unique<watermark_assigner_operator<int>>(
                               watermark_strategy::monotonous().with_idleness(100)),
                           &clock),
         io);
  t.start();
  t.on_batch(1, ints({{1, 500}}));
  REQUIRE(!io.timers.empty());
  CHECK(io.timers.back() == 1100);
  t.on_watermark_status(1, watermark_status::idle);  // upstream's idleness is not ours
  t.on_watermark_status(2, watermark_status::idle);
  t.on_watermark(1, 5000);  // nor its watermarks
  CHECK(io.out == std::vector<sent>{std::size_t{1}, timestamp{499}});
  io.clock = 1100;
  t.on_timer();
  CHECK(io.out.back() == sent{watermark_status::idle});
  io.clock = 1500;
  t.on_batch(2, ints({{2, 700}}));
  CHECK(io.out == std::vector<sent>{std::size_t{1}, timestamp{499}, watermark_status::idle,
                                    watermark_status::active, std::size_t{1}, timestamp{699}});
  CHECK(io.timers.back() == 1600);
}

namespace {
/// Counts the batches it sees and whether it was opened first.
class open_checking_operator final : public operator_base {
 public:
  explicit open_checking_operator(int* batches) : batches_(batches) {}
  void open(const operator_context&) override { opened_ = true; }
  void on_batch(int, const batch_base& in, operator_output& out) override {
    REQUIRE(opened_);  // an operator is never called before open
    ++*batches_;
    out.records<int>().insert(out.records<int>().end(), records_of<int>(in).begin(),
                              records_of<int>(in).end());
  }

 private:
  int* batches_;
  bool opened_ = false;
};
}  // namespace

TEST_CASE("events that reach a task before its start message wait for it") {
  // CAF orders messages per sender: a source may send its first batch before the job master's
  // start message reaches this task.
  fake_io io;
  int batches = 0;
  task t(one_operator_task(std::make_unique<open_checking_operator>(&batches), nullptr), io);
  t.on_batch(1, ints({{1, 5}}));
  t.on_watermark(1, 5);
  t.on_watermark(2, 7);
  CHECK(batches == 0);
  CHECK(io.out.empty());
  t.start();
  CHECK(batches == 1);
  CHECK(io.out == std::vector<sent>{std::size_t{1}, timestamp{5}});
}
