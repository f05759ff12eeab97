// Pipeline files: what parses, and that every mistake names the file, line, key and what was
// expected.
#include <doctest/doctest.h>

#include "dataflow/pipeline/pipeline_parser.hpp"

using namespace dataflow;

namespace {

const char* good = R"(name: metrics
parallelism: 2
sources:
  - name: events
    type: json_lines
    path: in/*.jsonl.gz
    event_time: {field: ts, format: iso8601}
    watermarks: {strategy: bounded_out_of_orderness, max_delay: 5s, idleness: 1m}
    fields: {bytes: int}
steps:
  - name: ok
    input: events
    filter:
      - {field: status, op: "<", value: 400}
      - {field: device, op: "!=", value: bot}
  - name: per_user
    input: ok
    key_by: [user, device]
    window: {type: sliding, size: 1h, slide: 1m, offset: -8h}
    trigger: {purging: {count: 10}}
    allowed_lateness: 30s
    late_output: late
    aggregate:
      - {count: requests}
      - {count_distinct: url, as: urls}
      - {collect: url}
sinks:
  - {input: per_user, type: json_lines, path: out/users.jsonl, roll_size: 64MB, write_watermarks: true}
  - {input: late, type: stdout}
)";

/// `text` with the first `from` replaced by `to`.
std::string replaced(const std::string& text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.substr(0, at) + to + text.substr(at + from.size());
}

std::string error_of(const std::string& yaml) {
  auto p = parse_pipeline(yaml, "p.yaml");
  REQUIRE_FALSE(p);
  return p.error().message();
}

}  // namespace

TEST_CASE("pipeline file: every key read into the spec") {
  auto p = parse_pipeline(good, "p.yaml");
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  CHECK(p->name == "metrics");
  CHECK(p->parallelism == 2);
  REQUIRE(p->sources.size() == 1);
  CHECK(p->sources[0].parse.timestamp_field == "ts");
  CHECK(p->sources[0].parse.time == time_format::iso8601);
  CHECK(p->sources[0].watermarks.max_delay == 5'000);
  CHECK(p->sources[0].watermarks.idleness == 60'000);
  REQUIRE(p->steps.size() == 2);
  CHECK(p->steps[0].conditions.size() == 2);
  CHECK(p->steps[0].conditions[0].literal == value(400));
  CHECK(p->steps[0].conditions[1].literal == value("bot"));
  auto& w = p->steps[1];
  CHECK(w.key_by == std::vector<std::string>{"user", "device"});
  CHECK(w.window.size == 3'600'000);
  CHECK(w.window.slide == 60'000);
  CHECK(w.window.offset == -28'800'000);
  CHECK(w.trigger.is_purging());
  CHECK(w.trigger.max_count() == 10);
  CHECK(w.allowed_lateness == 30'000);
  CHECK(w.late_output == "late");
  REQUIRE(w.aggregates.size() == 3);
  CHECK(w.aggregates[0].output == "requests");
  CHECK(w.aggregates[0].field.empty());
  CHECK(w.aggregates[1].output == "urls");
  CHECK(w.aggregates[2].output == "collect_url");
  REQUIRE(p->sinks.size() == 2);
  CHECK(p->sinks[0].roll_bytes == 64ull << 20);
  CHECK(p->sinks[0].write_watermarks);
  CHECK(p->sinks[1].type == "stdout");
}

TEST_CASE("pipeline file: errors name the file, line, column and key") {
  CHECK(error_of(replaced(good, "size: 1h", "size: 1 hour")) ==
        "p.yaml:19:35: steps[1].window.size: expected a duration such as 250ms, 5s, 1m, 1h or "
        "7d, got \"1 hour\"");

  CHECK(error_of(replaced(good, "allowed_lateness", "allowed_latenes"))
            .find("p.yaml:21:5: steps[1].allowed_latenes: unknown key") == 0);

  CHECK(error_of(replaced(good, "\"<\"", "\"~\"")) ==
        "p.yaml:14:29: steps[0].filter[0].op: expected ==, !=, <, <=, > or >=, "
        "got \"~\"");

  CHECK(error_of("sources: []\nsinks: []\n").find("p.yaml:1:10: sources: expected a list") == 0);
  CHECK(error_of("sources: [\n").find("p.yaml:") == 0);  // not YAML
  CHECK(error_of("steps: []\nsinks: []\n").find("sources: missing") != std::string::npos);
  CHECK(error_of("sources:\n  - {name: a, type: csv, path: x}\nsinks: [{input: a, type: stdout}]\n")
            .find("sources[0].type: expected json_lines") != std::string::npos);
  CHECK(error_of("sources:\n  - {name: a, type: json_lines, path: x}\nsteps:\n  - {name: w, "
                 "input: a, window: {type: session, gap: 1m, size: 1m}, aggregate: "
                 "[{count: n}]}\nsinks: [{input: w, type: stdout}]\n")
            .find("steps[0].window.size: not used by a session window") != std::string::npos);
}

TEST_CASE("pipeline file: a generator source with a schema") {
  const char* gen = R"(sources:
  - name: events
    type: generator
    count: 1000
    rate: 500
    seed: 3
    event_time: {field: time, start: 2026-11-24T00:00:00Z, max_disorder: 2s}
    watermarks: {strategy: bounded_out_of_orderness, max_delay: 2s}
    schema:
      id: sequence
      user: {uniform: [1, 1000]}
      share: {uniform: [0, 1.5]}
      content: {zipf: {n: 100, exponent: 0.9}}
      device: {choice: [tv, phone], weights: [1, 2]}
      ok: {bool: 0.9}
      url: {pattern: "/c/{content}"}
sinks: [{input: events, type: stdout}]
)";
  auto p = parse_pipeline(gen, "g.yaml");
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  auto& s = p->sources[0];
  CHECK(s.type == "generator");
  CHECK(s.count == 1000u);
  CHECK(s.rate == 500);
  CHECK(s.generator.seed == 3);
  CHECK(s.generator.time.field == "time");
  CHECK(s.generator.time.start == 1'795'478'400'000);
  CHECK(s.generator.time.per_second == 500);  // follows the rate when not given
  CHECK(s.generator.time.max_disorder == 2'000);
  REQUIRE(s.generator.fields.size() == 7);
  CHECK(s.generator.fields[1].what == generated_field::kind::uniform_int);
  CHECK(s.generator.fields[2].what == generated_field::kind::uniform_double);
  CHECK(s.generator.fields[3].n == 100);
  CHECK(s.generator.fields[3].exponent == 0.9);
  CHECK(s.generator.fields[4].weights == std::vector<double>{1, 2});
  CHECK(s.generator.fields[6].text == "/c/{content}");

  CHECK(error_of(replaced(gen, "{pattern: \"/c/{content}\"}", "{pattern: \"/c/{nope}\"}")) ==
        "p.yaml:16:12: sources[0].schema.url: generated field \"url\": {nope} names no earlier "
        "field (fields are made in order)");
  CHECK(error_of(replaced(gen, "{bool: 0.9}", "{bool: yes}")) ==
        "p.yaml:15:18: sources[0].schema.ok.bool: expected a number, got \"yes\"");
  CHECK(error_of(replaced(gen, "{uniform: [1, 1000]}", "{normal: [1, 1000]}"))
            .find("p.yaml:11:14: sources[0].schema.user.normal: unknown key") == 0);
  CHECK(error_of(replaced(gen, "count: 1000", "count: -5")) ==
        "p.yaml:4:12: sources[0].count: expected a positive number of records");
  CHECK(error_of(replaced(gen, "seed: 3", "path: x"))
            .find("p.yaml:6:5: sources[0].path: unknown key \"path\"") == 0);
}

TEST_CASE("pipeline file: an enrich step") {
  const char* yaml = R"(sources:
  - {name: a, type: json_lines, path: x}
steps:
  - name: e
    input: a
    enrich:
      window: {type: sliding, size: 7d, slide: 1m}
      key_by: [content]
      allowed_lateness: 5m
      aggregate: [{count: requests}, {count_distinct: user, as: users}]
      results: metrics
sinks: [{input: e, type: stdout}]
)";
  auto p = parse_pipeline(yaml, "p.yaml");
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  auto& s = p->steps[0];
  CHECK(s.what == step_spec::kind::enrich);
  CHECK(s.window.size == 7 * 86'400'000);
  CHECK(s.window.slide == 60'000);
  CHECK(s.key_by == std::vector<std::string>{"content"});
  CHECK(s.allowed_lateness == 300'000);
  CHECK(s.results_output == "metrics");
  REQUIRE(s.aggregates.size() == 2);
  CHECK(s.aggregates[1].output == "users");
  CHECK(error_of(
            replaced(yaml, "{type: sliding, size: 7d, slide: 1m}", "{type: session, gap: 1m}")) ==
        "p.yaml:7:22: steps[0].enrich.window.type: enrichment takes tumbling or sliding windows");
  CHECK(error_of(replaced(yaml, "results: metrics", "late_output: l"))
            .find("p.yaml:11:7: steps[0].enrich.late_output: unknown key") == 0);
}

TEST_CASE("pipeline file: an interval join step") {
  const char* yaml = R"(sources:
  - {name: a, type: json_lines, path: x}
  - {name: b, type: json_lines, path: y}
steps:
  - name: j
    interval_join:
      left: a
      right: b
      key_by: [user]
      right_key_by: user_id
      between: [-5s, 1m]
      lower_exclusive: true
      late_right: late_b
sinks: [{input: j, type: stdout}]
)";
  auto p = parse_pipeline(yaml, "p.yaml");
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  auto& s = p->steps[0];
  CHECK(s.what == step_spec::kind::interval_join);
  CHECK(s.inputs == std::vector<std::string>{"a", "b"});
  CHECK(s.right_key_by == std::vector<std::string>{"user_id"});
  CHECK(s.lower == -5'000);
  CHECK(s.upper == 60'000);
  CHECK_FALSE(s.lower_inclusive);
  CHECK(s.upper_inclusive);
  CHECK(s.late_right == "late_b");
  CHECK(error_of(replaced(yaml, "[-5s, 1m]", "[1m, -5s]")) ==
        "p.yaml:11:16: steps[0].interval_join.between: lower is above upper");
  CHECK(error_of(replaced(yaml, "right_key_by: user_id", "right_key_by: [a, b]")) ==
        "p.yaml:10:21: steps[0].interval_join.right_key_by: expected as many fields as key_by");
}

TEST_CASE("pipeline file: a checkpoints section, and its mistakes") {
  auto with = [](const std::string& section) { return std::string(good) + section; };
  auto p =
      parse_pipeline(with("checkpoints: {directory: cps, interval: 10s, retained: 5}\n"), "p.yaml");
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  REQUIRE(p->checkpoints);
  CHECK(p->checkpoints->directory == "cps");
  CHECK(p->checkpoints->interval == 10'000);
  CHECK(p->checkpoints->retained == 5);
  auto defaults = parse_pipeline(with("checkpoints: {directory: cps, interval: 1m}\n"), "p.yaml");
  REQUIRE(defaults);
  CHECK(defaults->checkpoints->retained == 3);
  CHECK_FALSE(defaults->checkpoints->timeout);  // job_options' default
  auto timed =
      parse_pipeline(with("checkpoints: {directory: cps, interval: 1m, timeout: 30s}\n"), "p.yaml");
  REQUIRE(timed);
  CHECK(timed->checkpoints->timeout == 30'000);
  CHECK_FALSE(timed->checkpoints->snapshot_on_task);
  auto on_task = parse_pipeline(
      with("checkpoints: {directory: cps, interval: 1m, snapshot_on_task: true}\n"), "p.yaml");
  REQUIRE(on_task);
  CHECK(on_task->checkpoints->snapshot_on_task);
  CHECK_FALSE(parse_pipeline(good, "p.yaml")->checkpoints);

  CHECK(error_of(with("checkpoints: {directory: cps}\n")) ==
        "p.yaml:30:14: checkpoints.interval: missing; how often to checkpoint, e.g. 10s");
  CHECK(error_of(with("checkpoints: {interval: 1s}\n"))
            .find("p.yaml:30:14: checkpoints.directory: missing") == 0);
  CHECK(error_of(with("checkpoints: {directory: cps, interval: 0s}\n"))
            .find("checkpoints.interval: must be positive") != std::string::npos);
  CHECK(error_of(with("checkpoints: {directory: cps, interval: 1s, retained: 0}\n"))
            .find("checkpoints.retained: expected a positive integer") != std::string::npos);
  CHECK(error_of(with("checkpoints: {directory: cps, interval: 1s, snapshot_on_task: 2}\n"))
            .find("checkpoints.snapshot_on_task") != std::string::npos);
  CHECK(error_of(with("checkpoints: {directory: cps, interval: 1s, every: 2}\n"))
            .find("checkpoints.every: unknown key") != std::string::npos);
}

TEST_CASE("pipeline file: a channels section, and its mistakes") {
  auto with = [](const std::string& section) { return std::string(good) + section; };
  auto p = parse_pipeline(with("channels: {batch_size: 512, buffer_timeout: 10ms, credits: 4}\n"),
                          "p.yaml");
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  REQUIRE(p->channels);
  CHECK(p->channels->batch_size == 512);
  CHECK(p->channels->buffer_timeout == 10);
  CHECK(p->channels->credits == 4);
  auto one = parse_pipeline(with("channels: {buffer_timeout: 1s}\n"), "p.yaml");
  REQUIRE(one);
  CHECK(one->channels->buffer_timeout == 1'000);
  CHECK_FALSE(one->channels->batch_size);
  CHECK_FALSE(one->channels->credits);
  CHECK_FALSE(parse_pipeline(good, "p.yaml")->channels);

  CHECK(error_of(with("channels: {buffer_timeout: 0ms}\n")) ==
        "p.yaml:30:28: channels.buffer_timeout: expected a duration from 1ms to 1h such as 20ms, "
        "got \"0ms\"");
  auto says = [&](const std::string& section, const std::string& text) {
    return error_of(with(section + "\n")).find(text) != std::string::npos;
  };
  CHECK(says("channels: {buffer_timeout: 2h}", "channels.buffer_timeout: expected a duration"));
  CHECK(says("channels: {buffer_timeout: soon}", "channels.buffer_timeout: expected a duration"));
  CHECK(says("channels: {batch_size: 0}", "channels.batch_size: expected a positive integer"));
  CHECK(says("channels: {credits: -1}", "channels.credits: expected a positive integer"));
  CHECK(says("channels: {timeout: 5ms}", "channels.timeout: unknown key"));
}

TEST_CASE("pipeline file: a control section, and its mistakes") {
  auto with = [](const std::string& section) { return std::string(good) + section; };
  auto p = parse_pipeline(with("control: {port: 8081, port_file: run/port}\n"), "p.yaml");
  REQUIRE_MESSAGE(p, (p ? "" : p.error().message()));
  REQUIRE(p->control);
  CHECK(p->control->port == 8081);
  CHECK(p->control->port_file == "run/port");
  auto any = parse_pipeline(with("control: {port: 0}\n"), "p.yaml");
  REQUIRE(any);
  CHECK(any->control->port == 0);
  CHECK(any->control->port_file.empty());
  CHECK_FALSE(parse_pipeline(good, "p.yaml")->control);

  CHECK(error_of(with("control: {port_file: f}\n")).find("p.yaml:30:10: control.port: missing") ==
        0);
  CHECK(error_of(with("control: {port: 70000}\n"))
            .find("control.port: expected 0 to 65535, got 70000") != std::string::npos);
  CHECK(error_of(with("control: {port: -1}\n")).find("control.port: expected 0 to 65535") !=
        std::string::npos);
  CHECK(error_of(with("control: {port: http}\n")).find("control.port: expected an integer") !=
        std::string::npos);
  CHECK(error_of(with("control: {port: 1, host: 0.0.0.0}\n")).find("control.host: unknown key") !=
        std::string::npos);
}
