// Where a task's part of a checkpoint spends its time, driven by hand on the task's clocks:
// when the first barrier was taken up, how long alignment and each operator's snapshot()
// took, and when the parts were handed over (the state writer measures the rest from there).
#include <doctest/doctest.h>

#include "dataflow/runtime/task.hpp"
#include "fake_task_io.hpp"

using namespace dataflow;

namespace {

/// Forwards nothing; its snapshot() takes `ms` on both of the task's clocks.
class slow_snapshot final : public operator_base {
 public:
  slow_snapshot(testing::fake_task_io& io, std::int64_t ms) : io_(&io), ms_(ms) {}
  void on_batch(int, const batch_base&, operator_output&) override {}
  status snapshot(std::string& out) const override {
    io_->clock += ms_;
    io_->mono_ns += ms_ * 1'000'000;
    out = "state";
    return status::ok();
  }

 private:
  testing::fake_task_io* io_;
  std::int64_t ms_;
};

/// Two chained operators fed by channels 1 and 2.
task_spec two_input_task(testing::fake_task_io& io) {
  task_spec spec;
  spec.name = "a -> b";
  std::vector<std::unique_ptr<operator_base>> ops;
  ops.push_back(std::make_unique<slow_snapshot>(io, 7));
  ops.push_back(std::make_unique<slow_snapshot>(io, 2));
  spec.chain = std::make_unique<operator_chain>(
      std::move(ops),
      std::vector<const record_type*>{&record_type_of<int>(), &record_type_of<int>()});
  spec.contexts.resize(2);
  // Moved in: assigning the literals trips GCC 12's false -Wrestrict (its bug 105651).
  spec.contexts[0].info.uid = std::string("a");
  spec.contexts[1].info.uid = std::string("b");
  spec.operator_names = {"a", "b"};
  spec.inputs = {{1, 0, 10}, {2, 0, 11}};
  return spec;
}

}  // namespace

TEST_CASE("a task's snapshot parts carry barrier time, alignment and each operator's sync time") {
  testing::fake_task_io io;
  task t(two_input_task(io), io);
  t.start();
  io.clock = 1'000;
  io.mono_ns = 5'000'000;
  t.on_barrier(1, 3);  // the first barrier: alignment starts
  CHECK(io.snapshots.empty());
  io.clock = 1'030;
  io.mono_ns = 35'000'000;
  t.on_barrier(2, 3);  // aligned: snapshots a (7 ms), then b (2 ms)
  REQUIRE(io.snapshots.size() == 1);
  auto& [id, parts] = io.snapshots[0];
  CHECK(id == 3);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].uid == "a");
  CHECK(parts[1].uid == "b");
  for (auto& p : parts) {
    CHECK(p.barrier_at_ms == 1'000);
    CHECK(p.alignment_ms == 30);
    CHECK(p.synced_at_ms == 1'039);  // after both snapshots
  }
  CHECK(parts[0].sync_ms == 7);
  CHECK(parts[1].sync_ms == 2);

  // The next checkpoint measures afresh: one barrier after the other with no time between.
  io.clock = 2'000;
  t.on_barrier(2, 4);
  t.on_barrier(1, 4);
  REQUIRE(io.snapshots.size() == 2);
  CHECK(io.snapshots[1].second[0].barrier_at_ms == 2'000);
  CHECK(io.snapshots[1].second[0].alignment_ms == 0);
}
