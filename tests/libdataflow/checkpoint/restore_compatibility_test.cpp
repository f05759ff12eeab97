// The savepoint compatibility check: per operator uid, ok / warning / incompatible with the
// reason, an overall verdict, and a printable report.
#include "dataflow/checkpoint/restore_compatibility.hpp"

#include <doctest/doctest.h>

using namespace dataflow;

namespace {

/// A checkpoint of: source "gen" (x2, positions), keyed window "per-user" (x2, with state),
/// map "tag" (x2, stateless).
checkpoint_metadata snapshot_of_job() {
  checkpoint_metadata md;
  md.id = 3;
  md.job_name = "clicks";
  operator_state gen{"gen", "generator", "generator", false, true, 2, 128, {}};
  operator_state win{"per-user", "per user", "window", true, false, 2, 128, {}};
  operator_state tag{"tag", "tag", "map", false, false, 2, 128, {}};
  for (int s = 0; s < 2; ++s) {
    gen.subtasks.push_back({s, "gen-" + std::to_string(s) + ".state", 0, 0, {}, 100u, 0});
    win.subtasks.push_back({s, "per-user-" + std::to_string(s) + ".state", 600, 1, {}, {}, 0});
    tag.subtasks.push_back({s, "tag-" + std::to_string(s) + ".state", 0, 0, {}, {}, 0});
  }
  md.operators = {gen, win, tag};
  return md;
}

job_description same_job() {
  job_description job;
  job.name = "clicks";
  job.operators = {{"gen", "generator", "generator", 2, 128, false, true},
                   {"per-user", "per user", "window", 2, 128, true, false},
                   {"tag", "tag", "map", 2, 128, false, false}};
  return job;
}

operator_description& op(job_description& job, const std::string& uid) {
  for (auto& o : job.operators)
    if (o.uid == uid) return o;
  FAIL("no operator " << uid);
  throw;
}

const compatibility_finding& finding(const compatibility_report& r, const std::string& uid) {
  for (auto& f : r.findings)
    if (f.uid == uid) return f;
  FAIL("no finding for " << uid);
  throw;
}

}  // namespace

TEST_CASE("checkpoint compatibility: the same job restores as it was") {
  auto report = check_restore_compatibility(snapshot_of_job(), same_job());
  CHECK(report.compatible());
  REQUIRE(report.findings.size() == 3);
  CHECK(finding(report, "per-user").message == "restores as it was (parallelism 2)");
}

TEST_CASE("checkpoint compatibility: another parallelism and an added stateless operator") {
  auto job = same_job();
  op(job, "per-user").parallelism = 1;
  op(job, "tag").parallelism = 3;
  job.operators.push_back({"enrich", "enrich", "map", 1, 128, false, false});
  auto report = check_restore_compatibility(snapshot_of_job(), job);
  CHECK(report.compatible());
  CHECK(finding(report, "per-user").level == compatibility_level::ok);
  CHECK(finding(report, "per-user").message == "rescaled 2 -> 1");
  CHECK(finding(report, "tag").message == "rescaled 2 -> 3 (no state)");
  CHECK(finding(report, "enrich").level == compatibility_level::ok);
  CHECK(finding(report, "enrich").message == "new map operator, starts empty");
  CHECK(report.to_string() ==
        "ok            gen: restores as it was (parallelism 2)\n"
        "ok            per-user: rescaled 2 -> 1\n"
        "ok            tag: rescaled 2 -> 3 (no state)\n"
        "ok            enrich: new map operator, starts empty\n"
        "verdict: compatible\n");
}

TEST_CASE("checkpoint compatibility: a changed kind is rejected with the reason") {
  auto job = same_job();
  op(job, "per-user").kind = "map";
  op(job, "tag").kind = "filter";  // no state: fine
  auto report = check_restore_compatibility(snapshot_of_job(), job);
  CHECK(!report.compatible());
  CHECK(finding(report, "per-user").level == compatibility_level::incompatible);
  CHECK(finding(report, "per-user").message ==
        "kind changed from window to map: the new operator cannot read its state "
        "(1.2 KiB in 2 instances)");
  CHECK(finding(report, "tag").level == compatibility_level::ok);
  CHECK(report.to_string().find("incompatible  per-user: kind changed from window to map") !=
        std::string::npos);
  CHECK(report.to_string().find("verdict: incompatible (1 problem)\n") != std::string::npos);
}

TEST_CASE("checkpoint compatibility: dropped state is rejected, or a warning when allowed") {
  auto job = same_job();
  job.operators.erase(job.operators.begin() + 1);  // per-user
  job.operators.pop_back();                        // tag: it had no state
  auto report = check_restore_compatibility(snapshot_of_job(), job);
  CHECK(!report.compatible());
  CHECK(finding(report, "per-user").level == compatibility_level::incompatible);
  CHECK(finding(report, "per-user").message ==
        "not in the new job: its state (1.2 KiB in 2 instances) would be dropped; "
        "allow_dropped_state drops it");
  CHECK(finding(report, "tag").level == compatibility_level::ok);
  CHECK(finding(report, "tag").message == "not in the new job; it had no state");

  auto allowed = check_restore_compatibility(snapshot_of_job(), job, {.allow_dropped_state = true});
  CHECK(allowed.compatible());
  CHECK(finding(allowed, "per-user").level == compatibility_level::warning);
  CHECK(allowed.to_string().find("warning       per-user: not in the new job: its state") !=
        std::string::npos);
  CHECK(allowed.to_string().find("verdict: compatible (1 warning)\n") != std::string::npos);
}

TEST_CASE("checkpoint compatibility: key groups and source positions cannot be redistributed") {
  auto job = same_job();
  op(job, "per-user").max_parallelism = 256;
  op(job, "gen").parallelism = 3;
  auto report = check_restore_compatibility(snapshot_of_job(), job);
  CHECK(!report.compatible());
  CHECK(finding(report, "per-user").message ==
        "max_parallelism changed from 128 to 256: its state is split into 128 key groups, "
        "which cannot change");
  CHECK(finding(report, "gen").message ==
        "rescaled 2 -> 3: the read positions of a generator source are per instance (it does "
        "not read splits); keep parallelism 2");
  CHECK(report.to_string().find("verdict: incompatible (2 problems)") != std::string::npos);
}

TEST_CASE("checkpoint compatibility: a source that reads splits rescales") {
  auto md = snapshot_of_job();
  md.operators[0].kind = "json_lines";
  auto job = same_job();
  op(job, "gen").kind = "json_lines";
  op(job, "gen").parallelism = 1;
  op(job, "gen").reads_splits = true;
  auto report = check_restore_compatibility(md, job);
  CHECK(report.compatible());
  CHECK(finding(report, "gen").message == "rescaled 2 -> 1 (its splits are redistributed)");
  // Without splits (the same kind in the checkpoint, but the new source does not read them).
  op(job, "gen").reads_splits = false;
  CHECK_FALSE(check_restore_compatibility(md, job).compatible());
}
