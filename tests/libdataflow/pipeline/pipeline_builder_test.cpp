// Building a pipeline file into a job graph, the parts checkpoints depend on: the checkpoints
// section becomes job options, and every operator, sinks included, gets a uid that does not
// depend on the order of construction. The channels section becomes job options too.
#include "dataflow/pipeline/pipeline_builder.hpp"

#include <doctest/doctest.h>

#include <string>

#include "dataflow/pipeline/pipeline_parser.hpp"

using namespace dataflow;

namespace {

/// Parses and builds `yaml` into `env`; either failing fails the test with its message.
built_pipeline build_ok(const std::string& yaml, environment& env) {
  auto spec = parse_pipeline(yaml, "p.yaml");
  REQUIRE_MESSAGE(spec, (spec ? "" : spec.error().message()));
  auto built = build_pipeline(*spec, env);
  REQUIRE_MESSAGE(built, (built ? "" : built.error().message()));
  return std::move(*built);
}

}  // namespace

TEST_CASE("pipeline builder: checkpoints become job options, sinks get stable uids") {
  environment env;
  auto built = build_ok(R"(name: clicks
checkpoints: {directory: cps, interval: 10s, retained: 2, timeout: 90s}
control: {port: 0, port_file: port.txt}
sources:
  - {name: clicks, type: json_lines, path: in}
steps:
  - {name: ok, input: clicks, filter: {field: status, op: "<", value: 400}}
sinks:
  - {input: ok, type: json_lines, path: a.jsonl}
  - {input: ok, type: json_lines, path: b.jsonl}
  - {name: all, input: clicks, type: json_lines, path: c.jsonl}
)",
                        env);
  CHECK(env.options().checkpoints.directory == "cps");
  CHECK(env.options().checkpoints.interval == std::chrono::seconds(10));
  CHECK(env.options().checkpoints.retained == 2);
  CHECK(env.options().checkpoints.timeout == std::chrono::seconds(90));
  REQUIRE(built.control);
  CHECK(built.control->port_file == "port.txt");
  std::vector<std::string> uids;
  for (auto& n : env.graph().nodes()) uids.push_back(n.uid);
  CHECK(uids == std::vector<std::string>{"source-clicks", "sink-clicks-dead-letters", "step-ok",
                                         "sink-ok-sink", "sink-ok-sink-2", "sink-all"});
}

TEST_CASE("pipeline builder: the channels section sets what it names and keeps the rest") {
  auto build = [](const std::string& channels) {
    environment env;
    build_ok(channels + R"(
sources:
  - {name: clicks, type: json_lines, path: in}
sinks:
  - {input: clicks, type: json_lines, path: a.jsonl}
)",
             env);
    return env.options().channels;
  };
  auto all = build("channels: {batch_size: 256, buffer_timeout: 20ms, credits: 4}");
  CHECK(all.batch_size == 256);
  CHECK(all.buffer_timeout == std::chrono::milliseconds(20));
  CHECK(all.credits == 4);
  auto some = build("channels: {buffer_timeout: 5ms}");
  CHECK(some.buffer_timeout == std::chrono::milliseconds(5));
  CHECK(some.batch_size == channel_options{}.batch_size);
  CHECK(some.credits == channel_options{}.credits);
}
