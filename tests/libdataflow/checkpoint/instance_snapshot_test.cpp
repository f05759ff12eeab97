// Instance snapshots: one file per operator instance, named after its uid and subtask, and the
// entry that goes into the metadata.
#include "dataflow/checkpoint/instance_snapshot.hpp"

#include <doctest/doctest.h>

#include <chrono>

#include "../io/temp_dir.hpp"
#include "dataflow/checkpoint/snapshot_file.hpp"

using namespace dataflow;
using dataflow::testing::temp_dir;

TEST_CASE("checkpoint instance snapshot: written to its file, described for the metadata") {
  temp_dir dir;
  instance_snapshot snap{"per-user", 1, "window bytes", {"contents", "timers"}, {}, 4};
  auto written = write_instance_snapshot(dir.str(), snap);
  REQUIRE(written);
  CHECK(written->subtask == 1);
  CHECK(written->file == "per-user-1.state");
  CHECK(written->size == 12);
  CHECK(written->crc32 == crc32_of("window bytes"));
  CHECK(written->states == std::vector<std::string>{"contents", "timers"});
  CHECK(!written->source_position);
  CHECK(written->alignment_ms == 4);
  CHECK(written->async_ms == 0);  // no synced_at_ms: not measured
  CHECK(*read_snapshot_file(dir / "per-user-1.state") == "window bytes");

  auto missing = write_instance_snapshot(dir / "no-such-dir", snap);
  REQUIRE(!missing);
  CHECK(missing.error().code() == errc::io_error);
  CHECK(missing.error().message().find(dir / "no-such-dir/per-user-1.state.tmp-") == 0);
}

TEST_CASE("checkpoint instance snapshot: the timings pass through, the write is timed") {
  temp_dir dir;
  instance_snapshot snap{"w", 0, "bytes", {}, {}, 3};
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  snap.barrier_at_ms = now - 900;
  snap.sync_ms = 40;
  snap.synced_at_ms = now - 500;  // handed over 500 ms ago: waited for the writer
  auto written = write_instance_snapshot(dir.str(), snap);
  REQUIRE(written);
  CHECK(written->barrier_at_ms == now - 900);
  CHECK(written->alignment_ms == 3);
  CHECK(written->sync_ms == 40);
  CHECK(written->async_ms >= 500);
  CHECK(written->async_ms < 60'000);
  CHECK(written->acknowledged_at_ms == 0);  // the coordinator sets it
}

TEST_CASE("checkpoint instance snapshot file names: one per instance, uids escaped and distinct") {
  CHECK(snapshot_file_name("per-user", 3) == "per-user-3.state");
  CHECK(snapshot_file_name("a/b c%", 0) == "a%2Fb%20c%25-0.state");
  CHECK(snapshot_file_name("a-1", 0) != snapshot_file_name("a", 10));
  CHECK(snapshot_file_name("a%2F", 0) != snapshot_file_name("a/", 0));
  const std::string long_uid(400, 'u');
  const auto name = snapshot_file_name(long_uid, 7);
  CHECK(name.size() < 200);
  CHECK(name.substr(name.size() - 8) == "-7.state");
  CHECK(name != snapshot_file_name(long_uid + "v", 7));
}
