// Helpers for the checkpoint tests: a small job (a source and a keyed window) and a checkpoint
// of it written the way the coordinator and the tasks will, with recognisable bytes.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "dataflow/checkpoint/checkpoint_storage.hpp"
#include "dataflow/checkpoint/instance_snapshot.hpp"
#include "dataflow/checkpoint/job_description.hpp"

namespace dataflow::testing {

/// A source "gen" and a keyed window "per-user", both at `parallelism`.
inline job_description small_job(int parallelism = 2) {
  job_description job;
  job.name = "clicks";
  job.max_parallelism = 128;
  job.operators.push_back({"gen", "generator", "generator", parallelism, 128, false, true});
  job.operators.push_back({"per-user", "per user", "window", parallelism, 128, true, false});
  return job;
}

/// The bytes the fixture writes for one instance: "<uid>/<subtask>@<id>".
inline std::string fixture_bytes(const std::string& uid, int subtask, std::int64_t id) {
  return uid + "/" + std::to_string(subtask) + "@" + std::to_string(id);
}

/// Begins, writes every instance (sources store a position and no bytes) and acknowledges.
inline pending_checkpoint write_instances(pending_checkpoint p, const job_description& job) {
  for (auto& op : job.operators)
    for (int s = 0; s < op.parallelism; ++s) {
      instance_snapshot snap;
      snap.uid = op.uid;
      snap.subtask = s;
      if (op.source) {
        snap.source_position = static_cast<std::uint64_t>(100 * p.id() + s);
      } else {
        snap.bytes = fixture_bytes(op.uid, s, p.id());
        snap.states = {"window-contents"};
      }
      snap.alignment_ms = s;
      auto written = write_instance_snapshot(p.directory(), snap);
      REQUIRE(written);
      REQUIRE(p.acknowledge(op.uid, *written));
    }
  return p;
}

/// Checkpoint `id` of `job`, complete.
inline completed_checkpoint write_checkpoint(const checkpoint_storage& storage,
                                             const job_description& job, std::int64_t id) {
  auto p = storage.begin_checkpoint(id, job, 1'700'000'000'000 + id);
  REQUIRE(p);
  auto done = storage.complete(write_instances(std::move(*p), job), {.duration_ms = 7});
  REQUIRE(done);
  return std::move(*done);
}

}  // namespace dataflow::testing
