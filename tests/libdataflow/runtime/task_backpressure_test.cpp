// Credit-based backpressure through a task, driven by hand: a task whose output waits for
// credit stops taking input, and credit coming back lets it take one more event per batch it
// can send, not every queued event.
#include <doctest/doctest.h>

#include <vector>

#include "dataflow/runtime/task.hpp"
#include "fake_task_io.hpp"
#include "one_operator_task.hpp"

using namespace dataflow;

namespace {

class fake_io final : public testing::fake_task_io {
 public:
  std::vector<int> out;
  int credit_returned = 0;

  void send(int, std::uint32_t, channel_event&& ev) override {
    if (ev.what == channel_event::kind::batch)
      for (auto& r : records_of<int>(*ev.records)) out.push_back(r.value);
  }
  void return_credit(int, std::uint32_t, int n) override { credit_returned += n; }
};

class forward_operator final : public operator_base {
 public:
  void on_batch(int, const batch_base& in, operator_output& out) override {
    for (auto& r : records_of<int>(in)) out.records<int>().push_back(r);
  }
};

batch_ptr one(int v) {
  return std::make_shared<batch<int>>(std::vector<record<int>>{{v, v}});
}

}  // namespace

TEST_CASE("a task takes one input event per batch that credit lets it send") {
  fake_io io;
  task t(testing::one_operator_task(std::make_unique<forward_operator>(), 1, /*credits=*/1), io);
  t.start();
  t.on_batch(1, one(1));                               // sent on the one credit
  t.on_batch(1, one(2));                               // taken, waits in the gate without credit
  for (int v = 3; v <= 6; ++v) t.on_batch(1, one(v));  // wait in the input queue
  CHECK(io.out == std::vector<int>{1});
  CHECK(io.credit_returned == 2);  // the upstream may send two more, no more
  // One credit back: 2 goes out, 3 is taken and waits. Taking 3 to 6 at once (each returning a
  // credit upstream) while 2 was still in the gate was the bug: the outbox then grew without
  // bound.
  t.on_credit(9, 1);
  CHECK(io.out == std::vector<int>{1, 2});
  CHECK(io.credit_returned == 3);
  for (int expected = 3; expected <= 6; ++expected) {
    t.on_credit(9, 1);
    CHECK(io.out.back() == expected);
  }
  CHECK(io.out == std::vector<int>{1, 2, 3, 4, 5, 6});
  CHECK(io.credit_returned == 6);
}
