// Held-back output through a task, driven by hand: an operator that serves a watermark in steps
// gets one resume per step, input and the end of input wait for it, the watermark follows the
// last step, and a step waits for credit.
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "dataflow/runtime/task.hpp"
#include "fake_task_io.hpp"
#include "one_operator_task.hpp"

using namespace dataflow;
using testing::ints;

namespace {

struct end_marker {
  bool operator==(const end_marker&) const = default;
};
using sent = std::variant<int /*record*/, timestamp, end_marker>;

class fake_io final : public testing::fake_task_io {
 public:
  std::vector<sent> out;
  int resumes_asked = 0;  // schedule_resume calls not yet served
  int credit_returned = 0;

  void send(int, std::uint32_t, channel_event&& ev) override {
    switch (ev.what) {
      case channel_event::kind::batch:
        for (auto& r : records_of<int>(*ev.records)) out.emplace_back(r.value);
        break;
      case channel_event::kind::watermark:
        out.emplace_back(timestamp{ev.value});
        break;
      case channel_event::kind::end:
        out.emplace_back(end_marker{});
        break;
      default:
        break;
    }
  }
  void return_credit(int, std::uint32_t, int n) override { credit_returned += n; }
  void schedule_resume() override { ++resumes_asked; }
};

/// Forwards records; on a watermark emits `burst` records (1000 + i), `step` per call, then the
/// watermark; on end emits -1.
class burst_operator final : public operator_base {
 public:
  burst_operator(int burst, int step) : burst_(burst), step_(step) {}

  void on_batch(int, const batch_base& in, operator_output& out) override {
    for (auto& r : records_of<int>(in)) out.records<int>().push_back(r);
  }
  void on_watermark(timestamp wm, operator_output& out) override {
    held_ = wm;
    left_ = burst_;
    holding_ = true;
    resume(out);
  }
  bool has_pending_output() const override { return holding_; }
  void resume(operator_output& out) override {
    for (int i = 0; i < step_ && left_ > 0; ++i, --left_)
      out.records<int>().push_back({1000 + burst_ - left_, held_});
    if (left_ == 0) {
      holding_ = false;
      out.emit_watermark(held_);
    }
  }
  void on_end(operator_output& out) override { out.records<int>().push_back({-1, max_timestamp}); }

 private:
  int burst_, step_;
  int left_ = 0;
  timestamp held_ = 0;
  bool holding_ = false;
};

/// The operator fed by channel 1 (from task 10), sending on channel 9 (to task 5) with
/// `credit` batches of one record.
task_spec burst_task(int burst, int step, int credit) {
  return testing::one_operator_task(std::make_unique<burst_operator>(burst, step), 1, credit);
}

/// Serves resume requests as the host would, one per message; returns how many.
int serve_resumes(task& t, fake_io& io) {
  int n = 0;
  while (io.resumes_asked > 0) {
    --io.resumes_asked;
    ++n;
    t.on_resume();
  }
  return n;
}

}  // namespace

TEST_CASE("a task serves held-back output one step per resume, and input waits for it") {
  fake_io io;
  task t(burst_task(/*burst=*/7, /*step=*/3, /*credit=*/1000), io);
  t.start();
  t.on_watermark(1, 50);
  CHECK(io.out == std::vector<sent>{1000, 1001, 1002});  // the first step only
  CHECK(io.resumes_asked == 1);
  t.on_batch(1, ints({{5, 60}}));  // waits: the watermark's output is not all out
  CHECK(io.out.size() == 3);
  CHECK(io.credit_returned == 0);
  CHECK(serve_resumes(t, io) == 2);
  CHECK(io.out == std::vector<sent>{1000, 1001, 1002, 1003, 1004, 1005, 1006, timestamp{50}, 5});
  CHECK(io.credit_returned == 1);
}

TEST_CASE("the end of input waits for held-back output") {
  fake_io io;
  task t(burst_task(/*burst=*/4, /*step=*/1, /*credit=*/1000), io);
  t.start();
  t.on_end(1);  // the final watermark starts a burst; on_end must come after it
  CHECK(io.out == std::vector<sent>{1000});
  CHECK_FALSE(io.done);
  CHECK(serve_resumes(t, io) == 3);
  CHECK(io.out ==
        std::vector<sent>{1000, 1001, 1002, 1003, timestamp{max_timestamp}, -1, end_marker{}});
  CHECK(io.done);
}

TEST_CASE("a held-back step waits for credit") {
  fake_io io;
  task t(burst_task(/*burst=*/3, /*step=*/1, /*credit=*/1), io);
  t.start();
  t.on_watermark(1, 7);
  CHECK(io.out == std::vector<sent>{1000});  // the first step, and the credit is used up
  CHECK(serve_resumes(t, io) == 2);          // the second step, then a resume without credit
  CHECK(io.out.size() == 1);                 // the second step waits in the gate
  t.on_credit(9, 1);
  CHECK(io.out.size() == 2);
  CHECK(serve_resumes(t, io) == 1);  // the last step and the watermark wait for credit
  CHECK(io.out.size() == 2);
  t.on_credit(9, 1);
  CHECK(io.out == std::vector<sent>{1000, 1001, 1002, timestamp{7}});
  CHECK(io.resumes_asked == 0);
}
