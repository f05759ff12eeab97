// The end-of-run summary of a job's checkpoints: percentiles of the duration, of each part of
// the time, and the instance the checkpoints waited for most often.
#include "dataflow/api/checkpoint_summary.hpp"

#include <doctest/doctest.h>

using namespace dataflow;

namespace {

checkpoint_record record(std::int64_t duration, checkpoint_breakdown max, std::string slowest,
                         std::uint64_t bytes) {
  checkpoint_record r;
  r.duration_ms = duration;
  r.max = max;
  r.slowest = std::move(slowest);
  r.size_bytes = bytes;
  return r;
}

}  // namespace

TEST_CASE("checkpoint summary: nothing to say without checkpoints") {
  CHECK(summarize_checkpoints(job_result{}).empty());
}

TEST_CASE("checkpoint summary: duration, the parts of the time, whom it waited for") {
  job_result r;
  r.checkpoints.push_back(record(900, {800, 1, 50, 40}, "window#1", 2'000'000));
  r.checkpoints.push_back(record(100, {10, 3, 60, 20}, "sink#2", 5'500'000));
  r.checkpoints.push_back(record(300, {200, 2, 70, 30}, "window#1", 1'000'000));
  r.checkpoints_aborted.push_back("chk-4: expired after 10 ms (timeout 10 ms)");
  CHECK(summarize_checkpoints(r) ==
        "checkpoints: 3 completed, 1 aborted, duration p50 300 ms, p99 300 ms, max 900 ms, "
        "largest 5.5 MB\n"
        "  where the time went (p50 / max over checkpoints of the largest per instance): start "
        "delay 200 / 800 ms, alignment 2 / 3 ms, sync 60 / 70 ms, async 30 / 40 ms\n"
        "  waited for most often: window#1 (2 of 3)\n");
}

TEST_CASE("checkpoint summary: only given-up checkpoints") {
  job_result r;
  r.checkpoints_aborted.push_back("chk-1: a task finished before the checkpoint completed");
  CHECK(summarize_checkpoints(r) ==
        "checkpoints: 0 completed, 1 aborted, duration p50 0 ms, p99 0 ms, max 0 ms, largest 0.0 "
        "MB\n");
}
