// The checkpoint coordinator without actors: periodic checkpoints, savepoints on request
// (queued behind the checkpoint in flight, served before the next periodic one, in order),
// savepoints without a checkpoint directory, refusals, and what a stop does to what waits.
#include "dataflow/checkpoint/checkpoint_coordinator.hpp"

#include <doctest/doctest.h>

#include <filesystem>

#include "../io/temp_dir.hpp"
#include "checkpoint_fixture.hpp"
#include "dataflow/checkpoint/metadata_file.hpp"

using namespace dataflow;
using namespace dataflow::testing;
namespace fs = std::filesystem;

namespace {

/// Acknowledges every instance of what is in flight, as the tasks and state writer would.
std::optional<checkpoint_record> acknowledge_all(checkpoint_coordinator& c,
                                                 const job_description& job, std::int64_t now) {
  REQUIRE(c.pending());
  const auto id = c.pending()->id();
  const auto dir = c.pending()->directory();
  std::optional<checkpoint_record> done;
  for (auto& op : job.operators)
    for (int s = 0; s < op.parallelism; ++s) {
      instance_snapshot snap;
      snap.uid = op.uid;
      snap.subtask = s;
      if (op.source)
        snap.source_position = 10;
      else
        snap.bytes = fixture_bytes(op.uid, s, id);
      auto written = write_instance_snapshot(dir, snap);
      REQUIRE(written);
      auto r = c.acknowledge(id, op.uid, *written, now);
      REQUIRE(r);
      if (*r) done = **r;
    }
  return done;
}

/// Triggers what is due at `now`, which must start a checkpoint or savepoint, and returns it.
const pending_checkpoint* begun(checkpoint_coordinator& c, std::int64_t now) {
  auto p = c.trigger(now);
  REQUIRE(p);
  REQUIRE(*p);
  return *p;
}

checkpoint_coordinator with_storage(const std::string& dir, std::int64_t interval,
                                    int retained = 3) {
  auto storage = checkpoint_storage::open(dir, {.retained = retained});
  REQUIRE(storage);
  return checkpoint_coordinator(std::move(*storage), small_job(2), interval);
}

}  // namespace

TEST_CASE("coordinator: a savepoint asked for during a checkpoint starts right after it") {
  temp_dir dir;
  auto c = with_storage(dir / "ck", 100);
  c.start(0);
  CHECK_FALSE(c.due(50));
  REQUIRE(c.due(100));
  const pending_checkpoint* p = begun(c, 100);
  CHECK(p->id() == 1);
  CHECK(p->kind() == checkpoint_kind::checkpoint);

  c.request_savepoint(7, "");
  c.request_savepoint(8, dir / "elsewhere");
  CHECK(c.take_outcomes().empty());
  CHECK_FALSE(c.due(110));  // one at a time: the checkpoint is in flight
  auto done = acknowledge_all(c, small_job(2), 120);
  REQUIRE(done);
  CHECK_FALSE(done->savepoint);

  // Requests go first (in order), before the periodic checkpoint, although it is due at 200.
  REQUIRE(c.due(120));
  p = begun(c, 250);
  CHECK(p->kind() == checkpoint_kind::savepoint);
  CHECK(p->directory() == dir / "ck/savepoint-2");
  CHECK_FALSE(c.due(250));
  done = acknowledge_all(c, small_job(2), 260);
  REQUIRE(done);
  CHECK(done->savepoint);
  auto outcomes = c.take_outcomes();
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].request == 7);
  REQUIRE(outcomes[0].result);
  CHECK(outcomes[0].result->directory == dir / "ck/savepoint-2");
  auto md = read_metadata_file(dir / "ck/savepoint-2");
  REQUIRE(md);
  CHECK(md->kind == checkpoint_kind::savepoint);

  p = begun(c, 260);
  CHECK(p->id() == 3);
  CHECK(p->directory() == dir / "elsewhere");
  REQUIRE(acknowledge_all(c, small_job(2), 270));
  outcomes = c.take_outcomes();
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].request == 8);

  // Then the periodic checkpoint that waited.
  REQUIRE(c.due(270));
  p = begun(c, 270);
  CHECK(p->kind() == checkpoint_kind::checkpoint);
  CHECK(p->id() == 4);
}

TEST_CASE("coordinator: savepoints are not removed by retention") {
  temp_dir dir;
  auto c = with_storage(dir / "ck", 10, 1);
  c.start(0);
  c.request_savepoint(1, "");
  REQUIRE(c.trigger(0));
  REQUIRE(acknowledge_all(c, small_job(2), 1));
  for (std::int64_t t = 10; t <= 40; t += 10) {
    begun(c, t);
    REQUIRE(acknowledge_all(c, small_job(2), t + 1));
  }
  CHECK(fs::exists(dir / "ck/savepoint-1/_metadata"));
  CHECK(fs::exists(dir / "ck/chk-5/_metadata"));
  CHECK_FALSE(fs::exists(dir / "ck/chk-4"));
  CHECK(c.completed().size() == 5);
}

TEST_CASE("coordinator: without a checkpoint directory, savepoints need a target") {
  temp_dir dir;
  checkpoint_coordinator c(small_job(1));
  c.start(0);
  CHECK_FALSE(c.periodic());
  CHECK_FALSE(c.due(1'000'000));
  c.request_savepoint(1, "");
  auto outcomes = c.take_outcomes();
  REQUIRE(outcomes.size() == 1);
  REQUIRE_FALSE(outcomes[0].result);
  CHECK(outcomes[0].result.error().code() == errc::invalid_configuration);
  CHECK(outcomes[0].result.error().message().find("no checkpoint directory") != std::string::npos);

  c.request_savepoint(2, dir / "sp/a");
  REQUIRE(c.due(5));
  const pending_checkpoint* p = begun(c, 5);
  CHECK(p->directory() == dir / "sp/a");
  REQUIRE(acknowledge_all(c, small_job(1), 6));
  outcomes = c.take_outcomes();
  REQUIRE(outcomes.size() == 1);
  REQUIRE(outcomes[0].result);
  CHECK(fs::exists(dir / "sp/a/_metadata"));
  CHECK_FALSE(c.due(1'000'000));  // still no periodic checkpoint
}

TEST_CASE("coordinator: a savepoint that cannot begin fails its request, not the job") {
  temp_dir dir;
  auto c = with_storage(dir / "ck", 0);
  fs::create_directories(dir / "taken");
  std::ofstream(dir / "taken/file") << "x";
  c.request_savepoint(1, dir / "taken");
  c.request_savepoint(2, "");
  begun(c, 0);  // the second one
  auto outcomes = c.take_outcomes();
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].request == 1);
  REQUIRE_FALSE(outcomes[0].result);
  CHECK(outcomes[0].result.error().message().find("already exists") != std::string::npos);
  REQUIRE(acknowledge_all(c, small_job(2), 1));
  CHECK(c.take_outcomes().size() == 1);
}

TEST_CASE("coordinator: a stop aborts the savepoint in flight and fails the queued ones") {
  temp_dir dir;
  auto c = with_storage(dir / "ck", 0);
  c.request_savepoint(1, "");
  c.request_savepoint(2, "");
  const pending_checkpoint* p = begun(c, 0);
  const auto in_flight = p->directory();
  c.on_task_finished();
  CHECK(c.stopped());
  CHECK_FALSE(fs::exists(in_flight));
  auto outcomes = c.take_outcomes();
  REQUIRE(outcomes.size() == 2);
  REQUIRE_FALSE(outcomes[0].result);
  CHECK(outcomes[0].result.error().message().find("was aborted: a task finished") !=
        std::string::npos);
  REQUIRE_FALSE(outcomes[1].result);
  CHECK(outcomes[1].result.error().code() == errc::not_running);
  REQUIRE(c.aborted().size() == 1);
  CHECK(c.aborted()[0].find("savepoint-1: ") == 0);

  c.request_savepoint(3, "");
  outcomes = c.take_outcomes();
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].result.error().code() == errc::not_running);
}

TEST_CASE("coordinator: a host that deletes aborted directories itself gets them, once") {
  temp_dir dir;
  auto c = with_storage(dir / "ck", 10);
  c.leave_aborted_directories_to_host();
  c.start(0);
  const pending_checkpoint* p = begun(c, 10);
  const auto id = p->id();
  const auto in_flight = p->directory();
  c.abort_pending("an instance declined");
  CHECK(fs::exists(in_flight));  // left to the host, which may be writing into it
  auto abandoned = c.take_abandoned();
  REQUIRE(abandoned.size() == 1);
  CHECK(abandoned[0].first == id);
  CHECK(abandoned[0].second == in_flight);
  CHECK(c.take_abandoned().empty());
  REQUIRE(c.aborted().size() == 1);

  // Without the host taking them, the coordinator deletes them itself.
  auto d = with_storage(dir / "ck2", 10);
  d.start(0);
  const pending_checkpoint* q = begun(d, 10);
  const auto other = q->directory();
  d.on_task_finished();
  CHECK_FALSE(fs::exists(other));
  CHECK(d.take_abandoned().empty());
}

TEST_CASE("coordinator: a checkpoint past its timeout is given up and the next one starts") {
  temp_dir dir;
  auto c = with_storage(dir / "ck", 10);
  c.set_timeout(500);
  c.start(0);
  const pending_checkpoint* p = begun(c, 10);
  const auto id = p->id();
  const auto stuck = p->directory();
  CHECK_FALSE(c.expire(id, 509));      // not yet
  CHECK_FALSE(c.expire(id + 1, 600));  // not the one in flight
  REQUIRE(c.pending());
  CHECK(c.expire(id, 510));
  CHECK_FALSE(c.pending());
  CHECK_FALSE(fs::exists(stuck));
  REQUIRE(c.aborted().size() == 1);
  CHECK(c.aborted()[0] == "chk-" + std::to_string(id) + ": expired after 500 ms (timeout 500 ms)");
  CHECK_FALSE(c.expire(id, 2000));  // once

  // The next one starts and completes; late acknowledgements of the expired one are ignored.
  REQUIRE(c.due(600));
  const pending_checkpoint* next = begun(c, 600);
  CHECK(next->id() == id + 1);
  auto late = c.acknowledge(id, "gen", subtask_state{}, 610);
  REQUIRE(late);
  CHECK_FALSE(*late);
  CHECK(acknowledge_all(c, small_job(2), 620));

  // Without a timeout nothing expires.
  auto d = with_storage(dir / "ck2", 10);
  d.start(0);
  const pending_checkpoint* q = begun(d, 10);
  CHECK_FALSE(d.expire(q->id(), 1'000'000'000));
  CHECK(d.pending());
}

TEST_CASE("coordinator: a checkpoint's record says where the time went and whom it waited for") {
  temp_dir dir;
  auto c = with_storage(dir / "ck", 10);
  c.start(0);
  const pending_checkpoint* p = begun(c, 1'000);
  const auto id = p->id();
  const auto directory = p->directory();
  // (uid, subtask, barrier at, alignment, sync, async, acknowledged at)
  struct timing {
    const char* uid;
    int subtask;
    std::int64_t barrier_at, alignment, sync, async, acked;
  };
  const timing parts[] = {{"gen", 0, 1'001, 0, 1, 2, 1'010},
                          {"gen", 1, 1'002, 0, 0, 3, 1'011},
                          {"per-user", 1, 1'300, 40, 200, 90, 1'650},
                          {"per-user", 0, 1'100, 60, 120, 300, 1'700}};
  std::optional<checkpoint_record> done;
  for (auto& t : parts) {
    instance_snapshot snap;
    snap.uid = t.uid;
    snap.subtask = t.subtask;
    snap.bytes = fixture_bytes(t.uid, t.subtask, id);
    auto written = write_instance_snapshot(directory, snap);
    REQUIRE(written);
    written->barrier_at_ms = t.barrier_at;
    written->alignment_ms = t.alignment;
    written->sync_ms = t.sync;
    written->async_ms = t.async;
    auto r = c.acknowledge(id, t.uid, *written, t.acked);
    REQUIRE(r);
    if (*r) done = **r;
  }
  REQUIRE(done);
  CHECK(done->duration_ms == 700);
  CHECK(done->max.start_delay_ms == 300);
  CHECK(done->max.alignment_ms == 60);
  CHECK(done->max.sync_ms == 200);
  CHECK(done->max.async_ms == 300);
  CHECK(done->slowest == "per-user#1");  // subtask 0, the last to acknowledge

  // The metadata keeps each instance's timings, with the acknowledgement time.
  auto md = read_metadata_file(done->directory);
  REQUIRE(md);
  auto& s = md->find("per-user")->subtasks[1];
  CHECK(s.start_delay_ms(md->created_ms) == 300);
  CHECK(s.end_to_end_ms(md->created_ms) == 650);
  CHECK(s.sync_ms == 200);

  // The next checkpoint starts from nothing.
  begun(c, 2'000);
  auto again = acknowledge_all(c, small_job(2), 2'005);
  REQUIRE(again);
  CHECK(again->max.sync_ms == 0);
  CHECK(again->max.start_delay_ms == 0);
}
