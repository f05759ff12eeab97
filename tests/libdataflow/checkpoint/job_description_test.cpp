// The job description the checkpoint code and the restore check use, built from a job graph
// without running it.
#include "dataflow/checkpoint/job_description.hpp"

#include <doctest/doctest.h>

#include "dataflow/dataflow.hpp"

using namespace dataflow;

TEST_CASE("checkpoint job description: uids, kinds, parallelism, keyed and source flags") {
  environment env;
  env.options().name = "numbers";
  env.options().parallelism = 2;
  env.options().max_parallelism = 64;
  auto src = env.from_collection(std::vector<int>{1, 2, 3});
  src.set_parallelism(1);
  auto mapped = src.map([](int x) { return x + 1; });
  mapped.uid("plus-one");
  mapped.key_by([](int x) { return x; })
      .process<int>([](const int& v, keyed_process_context<int, int>& c) { c.output(v); })
      .collect();
  const auto job = describe_job(env.graph(), env.options());
  CHECK(job.name == "numbers");
  CHECK(job.max_parallelism == 64);
  REQUIRE(job.operators.size() == 4);
  const auto& s = job.operators[0];
  CHECK(s.kind == "collection");
  CHECK(s.source);
  CHECK(s.parallelism == 1);
  const auto* m = job.find("plus-one");
  REQUIRE(m);
  CHECK(m->kind == "map");
  CHECK(m->parallelism == 2);
  CHECK(!m->keyed);
  CHECK(job.operators[2].kind == "process");
  CHECK(job.operators[2].keyed);
  CHECK(job.operators[2].max_parallelism == 64);
  CHECK(!job.operators[3].keyed);
  CHECK(job.find("nope") == nullptr);
}
