// Checkpoint storage over a real directory: the layout, completion, incomplete directories,
// retention, savepoints and the fallback of latest() past a damaged checkpoint.
#include "dataflow/checkpoint/checkpoint_storage.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "../io/temp_dir.hpp"
#include "checkpoint_fixture.hpp"
#include "dataflow/checkpoint/loaded_checkpoint.hpp"
#include "dataflow/checkpoint/metadata_file.hpp"
#include "dataflow/checkpoint/snapshot_file.hpp"

using namespace dataflow;
using namespace dataflow::testing;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

void flip_byte(const std::string& path, std::size_t at) {
  std::string bytes = read_file(path);
  bytes[at] ^= 0x20;
  write_file(path, bytes);
}

}  // namespace

TEST_CASE("checkpoint storage: write, complete and load back every instance") {
  temp_dir dir;
  auto storage = checkpoint_storage::open(dir / "checkpoints");
  REQUIRE(storage);
  const auto job = small_job(2);
  auto done = write_checkpoint(*storage, job, 1);
  CHECK(done.checkpoint.directory == dir / "checkpoints/chk-1");
  CHECK(names_in(done.checkpoint.directory) ==
        std::vector<std::string>{"_metadata", "gen-0.state", "gen-1.state", "per-user-0.state",
                                 "per-user-1.state"});
  CHECK(done.removed.empty());

  auto loaded = load_checkpoint(done.checkpoint.directory);
  REQUIRE(loaded);
  const auto& md = loaded->metadata();
  CHECK(md.id == 1);
  CHECK(md.kind == checkpoint_kind::checkpoint);
  CHECK(md.created_ms == 1'700'000'000'001);
  CHECK(md.job_name == "clicks");
  CHECK(md.stats.duration_ms == 7);
  CHECK(md.stats.size_bytes == 2 * fixture_bytes("per-user", 0, 1).size());
  const auto* win = md.find("per-user");
  REQUIRE(win);
  CHECK(win->subtasks[1].file == "per-user-1.state");
  CHECK(win->subtasks[1].states == std::vector<std::string>{"window-contents"});
  CHECK(win->alignment_ms() == 1);
  CHECK(*loaded->state("per-user", 1) == "per-user/1@1");
  CHECK(loaded->state("per-user", 2) == nullptr);
  CHECK(loaded->state("gen", 0)->empty());
  CHECK(md.find("gen")->subtasks[1].source_position == 101u);

  auto same = loaded->restore_for("gen", 1, 2);
  REQUIRE(same);
  CHECK(same->states.empty());
  CHECK(same->source_position == 101u);

  // Loading the checkpoints directory means the latest checkpoint.
  auto latest = load_checkpoint(dir / "checkpoints");
  REQUIRE(latest);
  CHECK(latest->directory() == done.checkpoint.directory);
  CHECK(latest->skipped().empty());
}

TEST_CASE("checkpoint storage: complete waits for every instance, acknowledgements are checked") {
  temp_dir dir;
  auto storage = checkpoint_storage::open(dir.str());
  REQUIRE(storage);
  const auto job = small_job(2);
  auto p = storage->begin_checkpoint(5, job, 0);
  REQUIRE(p);
  CHECK(p->directory() == dir / "chk-5");
  auto written = write_instance_snapshot(p->directory(), {"per-user", 1, "bytes", {}, {}, 0});
  REQUIRE(written);
  REQUIRE(p->acknowledge("per-user", *written));
  CHECK(p->acknowledge("per-user", *written).message() ==
        "checkpoint 5: instance per-user/1: acknowledged twice");
  CHECK(p->acknowledge("nope", *written).code() == errc::runtime_error);
  written->subtask = 2;
  CHECK(p->acknowledge("per-user", *written).message() ==
        "checkpoint 5: instance per-user/2: the operator has 2 instances");
  CHECK(!p->all_acknowledged());
  CHECK(p->missing() == std::vector<std::string>{"gen/0", "gen/1", "per-user/0"});
  auto done = storage->complete(*p);
  REQUIRE(!done);
  CHECK(done.error().message() ==
        "checkpoint 5 is missing 3 instance(s): gen/0, gen/1, per-user/0");
  CHECK(!fs::exists(dir / "chk-5/_metadata"));

  // Every instance acknowledged, but a file is not there (or not whole): no metadata.
  auto q = write_instances(std::move(*storage->begin_checkpoint(6, job, 0)), job);
  write_file(dir / "chk-6/gen-1.state", "");
  auto short_file = storage->complete(q);
  REQUIRE(!short_file);
  CHECK(short_file.error().message() ==
        dir / "chk-6/gen-1.state" + ": acknowledged with 24 bytes, found 0");
  fs::remove(dir / "chk-6/gen-1.state");
  CHECK(storage->complete(q).error().message().find(dir / "chk-6/gen-1.state" +
                                                    ": acknowledged but not readable") == 0);
  CHECK(!fs::exists(dir / "chk-6/_metadata"));
}

TEST_CASE("checkpoint storage: a chk directory without _metadata is incomplete") {
  temp_dir dir;
  auto storage = checkpoint_storage::open(dir.str());
  REQUIRE(storage);
  const auto job = small_job(1);
  write_checkpoint(*storage, job, 1);
  // Checkpoint 2: every file written, then the process died before the metadata; a stray
  // temporary metadata file is all there is.
  auto p = storage->begin_checkpoint(2, job, 0);
  REQUIRE(p);
  (void)write_instances(std::move(*p), job);
  write_file(dir / "chk-2/_metadata.tmp-0000deadbeef", "{\"format_version\": 1");

  auto latest = storage->latest();
  REQUIRE(latest);
  REQUIRE(latest->found);
  CHECK(latest->found->metadata.id == 1);
  REQUIRE(latest->skipped.size() == 1);
  CHECK(latest->skipped[0] == "chk-2: incomplete: no _metadata (in progress or abandoned)");

  auto direct = load_checkpoint(dir / "chk-2");
  REQUIRE(!direct);
  CHECK(direct.error().message() == dir / "chk-2" + ": incomplete checkpoint: no _metadata");
  auto other = load_checkpoint(dir / "chk-1/..");
  REQUIRE(other);  // the checkpoints directory again
  CHECK(other->metadata().id == 1);

  temp_dir empty;
  auto none = load_checkpoint(empty.str());
  REQUIRE(!none);
  CHECK(contains(none.error().message(), "neither a checkpoint (no _metadata) nor a checkpoints"));
}

TEST_CASE("checkpoint storage: retention keeps the last N and never deletes savepoints") {
  temp_dir dir;
  auto storage = checkpoint_storage::open(dir / "chk", {.retained = 2});
  REQUIRE(storage);
  const auto job = small_job(1);
  write_checkpoint(*storage, job, 1);
  // An attempt at 2 that never completed, then savepoints at the default and a given path.
  REQUIRE(storage->begin_checkpoint(2, job, 0));
  auto sp = storage->begin_savepoint(3, job, 0);
  REQUIRE(sp);
  CHECK(sp->directory() == dir / "chk/savepoint-3");
  auto sp_done = storage->complete(write_instances(std::move(*sp), job));
  REQUIRE(sp_done);
  CHECK(sp_done->checkpoint.metadata.kind == checkpoint_kind::savepoint);
  auto elsewhere = storage->begin_savepoint(4, job, 0, dir / "my-savepoint");
  REQUIRE(elsewhere);
  REQUIRE(storage->complete(write_instances(std::move(*elsewhere), job)));

  auto done5 = write_checkpoint(*storage, job, 5);
  // Checkpoint 1 is still within the last 2; the abandoned chk-2 is older than 5: deleted.
  CHECK(done5.removed == std::vector<std::string>{dir / "chk/chk-2"});
  CHECK(names_in(dir / "chk") == std::vector<std::string>{"chk-1", "chk-5", "savepoint-3"});

  REQUIRE(storage->begin_checkpoint(7, job, 0));  // in progress, newer than every complete one
  write_checkpoint(*storage, job, 6);
  auto done8 = write_checkpoint(*storage, job, 8);
  CHECK(names_in(dir / "chk") == std::vector<std::string>{"chk-6", "chk-8", "savepoint-3"});
  CHECK(done8.retention_problems.empty());
  CHECK(fs::exists(dir / "my-savepoint/_metadata"));
  CHECK(*storage->next_checkpoint_id() == 9);

  // Savepoints load by path and are never "latest".
  auto sp_loaded = load_checkpoint(dir / "chk/savepoint-3");
  REQUIRE(sp_loaded);
  CHECK(sp_loaded->metadata().kind == checkpoint_kind::savepoint);
  CHECK(storage->latest()->found->metadata.id == 8);

  auto taken = storage->begin_savepoint(9, job, 0, dir / "my-savepoint");
  REQUIRE(!taken);
  CHECK(taken.error().code() == errc::invalid_configuration);
  CHECK(!checkpoint_storage::open(dir.str(), {.retained = 0}));
}

TEST_CASE("checkpoint storage: latest falls back past a checkpoint with a corrupted file") {
  temp_dir dir;
  auto storage = checkpoint_storage::open(dir.str());
  REQUIRE(storage);
  const auto job = small_job(2);
  write_checkpoint(*storage, job, 1);
  write_checkpoint(*storage, job, 2);
  write_checkpoint(*storage, job, 3);
  const auto bad = dir / "chk-3/per-user-1.state";
  flip_byte(bad, snapshot_file_header_size + 2);
  write_file(dir / "chk-2/_metadata", "{}");  // and checkpoint 2's metadata is damaged

  auto latest = storage->latest();
  REQUIRE(latest);
  REQUIRE(latest->found);
  CHECK(latest->found->metadata.id == 1);
  CHECK(latest->found->directory == dir / "chk-1");
  REQUIRE(latest->skipped.size() == 2);
  CHECK(contains(latest->skipped[0], "chk-3: " + bad + ": checksum mismatch"));
  CHECK(contains(latest->skipped[1], "chk-2: " + dir / "chk-2/_metadata" + ": missing"));

  auto loaded = load_checkpoint(dir.str());
  REQUIRE(loaded);
  CHECK(loaded->metadata().id == 1);
  CHECK(loaded->skipped() == latest->skipped);
  CHECK(*loaded->state("per-user", 0) == "per-user/0@1");

  // Asked for by path, a damaged checkpoint is an error naming the file; no fallback.
  auto direct = load_checkpoint(dir / "chk-3");
  REQUIRE(!direct);
  CHECK(contains(direct.error().message(), bad + ": checksum mismatch"));

  // A file that is intact but not the one the metadata describes is caught as well.
  REQUIRE(write_snapshot_file(dir / "chk-1/per-user-0.state", "other bytes"));
  auto none = load_checkpoint(dir.str());
  REQUIRE(!none);
  CHECK(contains(none.error().message(), "no complete checkpoint whose files verify"));
  CHECK(contains(none.error().message(), "per-user-0.state: holds 11 bytes"));
  auto after = storage->latest();
  REQUIRE(after);
  CHECK(!after->found);
  CHECK(after->skipped.size() == 3);
}

TEST_CASE("checkpoint storage: abort, a reused id, a missing file") {
  temp_dir dir;
  auto storage = checkpoint_storage::open(dir.str());
  REQUIRE(storage);
  const auto job = small_job(1);
  CHECK(*storage->next_checkpoint_id() == 1);
  auto p = storage->begin_checkpoint(1, job, 0);
  REQUIRE(p);
  write_file(dir / "chk-1/leftover", "x");
  REQUIRE(storage->abort(*p));
  CHECK(!fs::exists(dir / "chk-1"));

  // An incomplete directory of the same id (a failed attempt) is replaced.
  write_file(dir / "chk-1/leftover", "x");
  p = storage->begin_checkpoint(1, job, 0);
  REQUIRE(p);
  CHECK(!fs::exists(dir / "chk-1/leftover"));
  REQUIRE(storage->complete(write_instances(std::move(*p), job)));
  auto again = storage->begin_checkpoint(1, job, 0);
  REQUIRE(!again);
  CHECK(contains(again.error().message(), "already a complete checkpoint"));
  CHECK(*storage->next_checkpoint_id() == 2);

  fs::remove(dir / "chk-1/gen-0.state");
  auto latest = storage->latest();
  REQUIRE(latest);
  CHECK(!latest->found);
  REQUIRE(latest->skipped.size() == 1);
  CHECK(latest->skipped[0] == "chk-1: " + dir / "chk-1/gen-0.state" + ": snapshot file is missing");
}
