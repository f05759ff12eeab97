// Restoring from a loaded checkpoint: at the same parallelism each instance gets its own
// bytes; keyed state written by N instances restores into M (each new instance restores the
// old instances whose key groups overlap its own, and keeps the key groups it owns); sources
// and non-keyed state with content refuse another parallelism.
#include "dataflow/checkpoint/loaded_checkpoint.hpp"

#include <doctest/doctest.h>

#include "../io/temp_dir.hpp"
#include "checkpoint_fixture.hpp"
#include "dataflow/state/keyed_state_store.hpp"

using namespace dataflow;
using namespace dataflow::testing;

namespace {

constexpr int keys = 1000;

/// Checkpoint 1 of a job whose keyed operator "counts" ran at `parallelism`, each instance
/// holding value k * 2 for the keys it owns.
std::string write_keyed_checkpoint(const temp_dir& dir, int parallelism) {
  auto storage = checkpoint_storage::open(dir.str());
  REQUIRE(storage);
  job_description job;
  job.operators.push_back({"counts", "counts", "process", parallelism, 128, true, false});
  auto p = storage->begin_checkpoint(1, job, 0);
  REQUIRE(p);
  for (int i = 0; i < parallelism; ++i) {
    keyed_state_store<int> store(operator_info{"counts", "counts", i, parallelism, 128});
    auto& v = store.value<int>("count");
    for (int k = 0; k < keys; ++k)
      if (instance_of_key_group(key_group_of(k, 128), 128, parallelism) == i) {
        store.set_current_key(k);
        v.update(k * 2);
      }
    instance_snapshot snap{"counts", i, {}, {"count"}, {}, 0};
    REQUIRE(store.snapshot(snap.bytes));
    auto written = write_instance_snapshot(p->directory(), snap);
    REQUIRE(written);
    REQUIRE(p->acknowledge("counts", *written));
  }
  auto done = storage->complete(*p);
  REQUIRE(done);
  return done->checkpoint.directory;
}

/// Restores every instance of "counts" at `parallelism` and counts the keys with the right
/// value; each key must be restored by exactly the instance that owns it.
int restore_keyed(const loaded_checkpoint& chk, int parallelism) {
  int restored = 0;
  for (int i = 0; i < parallelism; ++i) {
    keyed_state_store<int> store(operator_info{"counts", "counts", i, parallelism, 128});
    auto& v = store.value<int>("count");
    auto pieces = chk.restore_for("counts", i, parallelism);
    REQUIRE(pieces);
    for (auto bytes : pieces->states) REQUIRE(store.restore(bytes));
    store.for_each_key("count", [&](const int& k) {
      CHECK(instance_of_key_group(key_group_of(k, 128), 128, parallelism) == i);
      ++restored;
    });
    for (int k = 0; k < keys; ++k) {
      if (instance_of_key_group(key_group_of(k, 128), 128, parallelism) != i) continue;
      store.set_current_key(k);
      CHECK(v.value_or(-1) == k * 2);
    }
  }
  return restored;
}

}  // namespace

TEST_CASE("checkpoint restore: keyed state written by 2 instances restores into 1, 2 and 3") {
  temp_dir dir;
  auto loaded = load_checkpoint(write_keyed_checkpoint(dir, 2));
  REQUIRE(loaded);
  CHECK(loaded->metadata().find("counts")->subtasks[0].states == std::vector<std::string>{"count"});
  for (int p : {1, 2, 3}) {
    CAPTURE(p);
    CHECK(restore_keyed(*loaded, p) == keys);
  }
  // Only old instances whose key groups overlap are handed over: at parallelism 4, instance 0
  // owns key groups 0-31, all of which old instance 0 (0-63) had.
  CHECK(loaded->restore_for("counts", 0, 4)->states.size() == 1);
  CHECK(loaded->restore_for("counts", 0, 1)->states.size() == 2);
  CHECK(loaded->restore_for("counts", 0, 2)->states.size() == 1);
}

TEST_CASE("checkpoint restore: keyed state written by 3 instances restores into 2") {
  temp_dir dir;
  auto loaded = load_checkpoint(write_keyed_checkpoint(dir, 3));
  REQUIRE(loaded);
  CHECK(restore_keyed(*loaded, 2) == keys);
}

TEST_CASE("checkpoint restore: sources and non-keyed state keep their parallelism") {
  temp_dir dir;
  auto storage = checkpoint_storage::open(dir.str());
  REQUIRE(storage);
  auto job = small_job(2);
  job.operators.push_back({"buffer", "buffer", "process", 2, 128, false, false});
  job.operators.push_back({"tag", "tag", "map", 2, 128, false, false});
  auto p = storage->begin_checkpoint(1, job, 0);
  REQUIRE(p);
  for (auto& op : job.operators)
    for (int s = 0; s < 2; ++s) {
      instance_snapshot snap{op.uid, s, {}, {}, {}, 0};
      if (op.source) snap.source_position = 10u + static_cast<unsigned>(s);
      if (op.uid == "buffer" || op.uid == "per-user") snap.bytes = "state";
      auto written = write_instance_snapshot(p->directory(), snap);
      REQUIRE(written);
      REQUIRE(p->acknowledge(op.uid, *written));
    }
  REQUIRE(storage->complete(*p));
  auto loaded = load_checkpoint(dir.str());
  REQUIRE(loaded);

  auto same = loaded->restore_for("gen", 1, 2);
  REQUIRE(same);
  CHECK(same->source_position == 11u);
  auto source = loaded->restore_for("gen", 0, 3);
  REQUIRE(!source);
  CHECK(source.error().code() == errc::invalid_configuration);
  CHECK(source.error().message() ==
        "source gen cannot be rescaled 2 -> 3: the read positions of a generator source are per "
        "instance (it does not read splits); restore it at parallelism 2");
  // A source that reads splits gets every old instance's snapshot, in subtask order.
  auto splits = loaded->restore_for("gen", 0, 3, true);
  REQUIRE(splits);
  CHECK(splits->rescaled_source);
  REQUIRE(splits->states.size() == 2);
  CHECK(splits->states[1] == *loaded->state("gen", 1));
  CHECK_FALSE(splits->source_position);
  auto same_splits = loaded->restore_for("gen", 1, 2, true);
  REQUIRE(same_splits);
  CHECK_FALSE(same_splits->rescaled_source);
  auto buffer = loaded->restore_for("buffer", 0, 1);
  REQUIRE(!buffer);
  CHECK(buffer.error().message().find("its state is not keyed") != std::string::npos);
  // A stateless operator rescales; an operator the checkpoint does not know starts empty.
  auto tag = loaded->restore_for("tag", 2, 3);
  REQUIRE(tag);
  CHECK(tag->states.empty());
  auto fresh = loaded->restore_for("new-op", 0, 1);
  REQUIRE(fresh);
  CHECK(fresh->states.empty());
  CHECK(!fresh->source_position);
  CHECK(!loaded->restore_for("tag", 3, 3));
}
