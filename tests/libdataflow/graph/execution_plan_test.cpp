#include "dataflow/graph/execution_plan.hpp"

#include <doctest/doctest.h>

#include "dataflow/dataflow.hpp"

using namespace dataflow;

TEST_CASE("forward edges at equal parallelism chain, key_by and rebalance do not") {
  environment env;
  auto src = env.from_collection(std::vector<int>{1, 2, 3});
  auto mapped = src.map([](int x) { return x + 1; }).filter([](int x) { return x > 1; });
  mapped.key_by([](int x) { return x; })
      .process<int>([](const int& v, keyed_process_context<int, int>& c) { c.output(v); })
      .collect();
  auto plan = execution_plan::build(env.graph(), plan_options{2, 128, true});
  REQUIRE(plan);
  REQUIRE(plan->chains().size() == 2);
  CHECK(plan->chains()[0].name == "collection -> map -> filter");
  CHECK(plan->chains()[1].name == "process -> collect");
  CHECK(plan->tasks().size() == 4);
  CHECK(plan->channel_count() == 4);  // 2 x 2 hash channels
  auto unchained = execution_plan::build(env.graph(), plan_options{2, 128, false});
  REQUIRE(unchained);
  CHECK(unchained->chains().size() == 5);
}

TEST_CASE("the graph prints as text and JSON with effective partitioning") {
  environment env;
  auto a = env.from_collection(std::vector<int>{1});
  a.set_parallelism(1);
  auto m = a.map([](int x) { return x; }, "double");
  m.set_parallelism(3).uid("double-it");
  m.print();
  auto text = env.graph().to_text(3);
  CHECK(text.find("map 'double' (uid double-it) x3 <- 0 [rebalance]") != std::string::npos);
  auto json = env.graph().to_json(3);
  CHECK(json.find("\"partitioning\": \"rebalance\"") != std::string::npos);
  CHECK(json.find("\"uid\": \"double-it\"") != std::string::npos);
}

TEST_CASE("invalid graphs stop before they run, naming the operator") {
  SUBCASE("no sink") {
    environment env;
    env.from_collection(std::vector<int>{1}).map([](int x) { return x; });
    auto s = env.graph().validate(1, 128);
    CHECK(s.code() == errc::invalid_graph);
    CHECK(s.message().find("no sink") != std::string::npos);
  }
  SUBCASE("forward between different parallelism") {
    environment env;
    auto m = env.from_collection(std::vector<int>{1}).forward().map([](int x) { return x; }, "m");
    m.set_parallelism(2);
    m.print();
    auto s = env.graph().validate(1, 128);
    CHECK(s.code() == errc::invalid_graph);
    CHECK(s.message().find("'m'") != std::string::npos);
  }
  SUBCASE("duplicate uids") {
    environment env;
    auto a = env.from_collection(std::vector<int>{1});
    a.uid("x");
    a.map([](int v) { return v; }).uid("x").print();
    CHECK(env.graph().validate(1, 128).message().find("uid 'x'") != std::string::npos);
  }
  SUBCASE("keyed parallelism above max_parallelism") {
    environment env;
    env.from_collection(std::vector<int>{1})
        .key_by([](int v) { return v; })
        .process<int>([](const int& v, keyed_process_context<int, int>& c) { c.output(v); })
        .set_parallelism(200)
        .print();
    CHECK(env.graph().validate(1, 128).code() == errc::invalid_configuration);
  }
}

TEST_CASE("an environment without an executor says how to get one") {
  environment env;
  env.from_collection(std::vector<int>{1}).print();
  auto r = env.execute();
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("local_environment") != std::string::npos);
}
