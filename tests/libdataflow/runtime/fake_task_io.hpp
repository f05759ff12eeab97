// A task_io for driving a task by hand in tests: it does nothing unless a test overrides a
// call, keeps the clocks where the test sets them, and records the snapshots the task hands
// over. A failure the task reports fails the test.
#pragma once

#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include "dataflow/runtime/task.hpp"

namespace dataflow::testing {

class fake_task_io : public task_io {
 public:
  /// now() and monotonic_ns(); the test moves them.
  timestamp clock = 0;
  std::int64_t mono_ns = 0;
  bool done = false;
  /// (checkpoint id, parts) per snapshot_taken call.
  std::vector<std::pair<std::int64_t, std::vector<instance_snapshot>>> snapshots;

  void send(int, std::uint32_t, channel_event&&) override {}
  void return_credit(int, std::uint32_t, int) override {}
  void schedule_poll() override {}
  void schedule_resume() override {}
  void schedule_poll_at(timestamp) override {}
  void schedule_flush(std::chrono::microseconds) override {}
  void schedule_timer_at(timestamp) override {}
  timestamp now() const override { return clock; }
  std::int64_t monotonic_ns() const override { return mono_ns; }
  void snapshot_taken(std::int64_t id, std::vector<instance_snapshot> parts) override {
    snapshots.emplace_back(id, std::move(parts));
  }
  void finished(task_metrics) override { done = true; }
  void failed(std::string reason) override { FAIL(reason); }
};

}  // namespace dataflow::testing
