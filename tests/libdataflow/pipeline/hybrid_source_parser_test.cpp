// Pipeline files: the hybrid source (history then live), what parses and what each mistake says.
#include <doctest/doctest.h>

#include <string>

#include "dataflow/pipeline/pipeline_parser.hpp"

using namespace dataflow;

namespace {

const std::string hybrid = R"(sources:
  - name: deliveries
    type: hybrid
    parallelism: 3
    switch_at: 2026-11-24T00:00:00Z
    history:
      path: history/
      event_time: {field: ts}
      watermarks: {strategy: bounded_out_of_orderness, max_delay: 5s}
      dead_letters: bad.jsonl
    live:
      count: 10
      seed: 7
      event_time: {start: 1795478400000}
      watermarks: {strategy: monotonous, idleness: 1m}
      schema: {content: {zipf: {n: 5}}}
sinks:
  - {input: deliveries, type: stdout}
)";

std::string with(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string error_of(const std::string& yaml) {
  auto p = parse_pipeline(yaml, "p.yaml");
  REQUIRE(!p);
  return p.error().message();
}

}  // namespace

TEST_CASE(
    "pipeline: a hybrid source has a json_lines history, a generator live part and a switch") {
  auto p = parse_pipeline(hybrid, "p.yaml");
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  REQUIRE(p->sources.size() == 1);
  auto& s = p->sources[0];
  CHECK(s.type == "hybrid");
  CHECK(s.parallelism == 3);
  CHECK(s.switch_at == 1'795'478'400'000);
  REQUIRE(s.parts.size() == 2);
  auto& h = s.parts[0];
  CHECK(h.type == "json_lines");
  CHECK(h.name == "deliveries");  // dead letters name the hybrid source
  CHECK(h.path == "history/");
  CHECK(h.dead_letters == "bad.jsonl");
  CHECK(h.watermarks.max_delay == 5000);
  auto& l = s.parts[1];
  CHECK(l.type == "generator");
  CHECK(l.count == 10u);
  CHECK(l.generator.time.start == 1'795'478'400'000);
  CHECK(l.watermarks.what == watermark_spec::kind::monotonous);
  CHECK(l.watermarks.idleness == 60'000);

  auto ms = parse_pipeline(with(hybrid, "2026-11-24T00:00:00Z", "1795478400001"), "p.yaml");
  REQUIRE(ms);
  CHECK(ms->sources[0].switch_at == 1'795'478'400'001);
}

TEST_CASE("pipeline: hybrid source mistakes name the key") {
  CHECK(error_of(with(hybrid, "    switch_at: 2026-11-24T00:00:00Z\n", "")) ==
        "p.yaml:2:5: sources[0].switch_at: missing; the event time at which the live source "
        "takes over (epoch ms or ISO-8601)");
  CHECK(error_of(with(hybrid, "2026-11-24T00:00:00Z", "tomorrow")) ==
        "p.yaml:5:16: sources[0].switch_at: expected epoch milliseconds or an ISO-8601 time such "
        "as 2026-11-24T00:00:00Z, got \"tomorrow\"");
  CHECK(error_of(with(hybrid, "      path: history/\n", "      path: history/\n      name: x\n")) ==
        "p.yaml:8:13: sources[0].history.name: set on the hybrid source, not on its parts");
  CHECK(error_of(with(hybrid, "      count: 10\n", "      count: 10\n      path: x\n"))
            .find("p.yaml:13:7: sources[0].live.path: unknown key \"path\"") == 0);
  CHECK(error_of(with(hybrid, "      schema: {content: {zipf: {n: 5}}}\n", "")) ==
        "p.yaml:12:7: sources[0].live.schema: missing; name the fields to generate");
  CHECK(error_of(with(hybrid, "    live:", "    alive:")).find("sources[0].alive: unknown key") !=
        std::string::npos);
  CHECK(error_of(with(hybrid, "type: hybrid", "type: hybird")) ==
        "p.yaml:3:11: sources[0].type: expected json_lines, generator or hybrid, got \"hybird\"");
}
