// A pipeline file run end to end: real files in, window results out, equal to a reference
// computed here; bad lines in the dead-letter file; build errors name the place.
#include <doctest/doctest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "dataflow/actors/local_environment.hpp"
#include "dataflow/json/json_line_parser.hpp"
#include "dataflow/pipeline/pipeline_builder.hpp"
#include "dataflow/pipeline/pipeline_parser.hpp"

using namespace dataflow;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  auto d =
      fs::temp_directory_path() / ("dataflow-pipeline-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::vector<std::string> lines_of(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind(prefix, 0) == 0) {
      std::ifstream in(e.path());
      for (std::string l; std::getline(in, l);)
        if (!l.empty()) out.push_back(l);
    }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("a pipeline file's window results equal a reference, bad lines become dead letters") {
  auto dir = scratch("run");
  // Events over 10 minutes, up to 2 s out of order, three contents, some 404s, two bad lines.
  std::map<std::pair<std::string, std::int64_t>, std::pair<std::int64_t, std::int64_t>> expected;
  {
    std::ofstream f(dir / "events.jsonl");
    std::uint64_t x = 7;
    for (int i = 0; i < 3000; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      const std::int64_t ts =
          1'700'000'000'000 + i * 200 - static_cast<std::int64_t>(x >> 40) % 2000;
      const std::string content = std::array<const char*, 3>{"c0", "c1", "c2"}[i % 3];
      const int status = i % 7 == 0 ? 404 : 200;
      const std::int64_t bytes = static_cast<std::int64_t>(x >> 20) % 1000;
      f << "{\"ts\":" << ts << ",\"content\":\"" << content << "\",\"status\":" << status
        << ",\"bytes\":" << bytes << "}\n";
      if (i == 100) f << "{\"ts\": oops}\n";
      if (i == 200) f << "{\"content\":\"c1\",\"status\":200}\n";  // no timestamp
      if (status != 200) continue;
      const std::int64_t start = ts - ((ts % 60'000) + 60'000) % 60'000;
      auto& e = expected[{content, start}];
      e.first += 1;
      e.second += bytes;
    }
  }
  std::ostringstream yaml;
  yaml << "name: test\nparallelism: 2\nsources:\n"
       << "  - name: events\n    type: json_lines\n    path: " << (dir / "events.jsonl").string()
       << "\n    event_time: {field: ts}\n"
       << "    watermarks: {strategy: bounded_out_of_orderness, max_delay: 2s}\n"
       << "    dead_letters: " << (dir / "dead.jsonl").string() << "\n"
       << "steps:\n  - {name: ok, input: events, filter: {field: status, op: \"==\", value: 200}}\n"
       << "  - name: per_minute\n    input: ok\n    key_by: content\n"
       << "    window: {type: tumbling, size: 1m}\n"
       << "    aggregate: [{count: requests}, {sum: bytes}]\n"
       << "sinks:\n  - {input: per_minute, type: json_lines, path: " << (dir / "out.jsonl").string()
       << "}\n";
  auto spec = parse_pipeline(yaml.str(), "test.yaml");
  REQUIRE_MESSAGE(spec, (spec ? "" : spec.error().message()));
  local_environment env;
  env.options().threads = 2;
  auto built = build_pipeline(*spec, env);
  REQUIRE_MESSAGE(built, (built ? "" : built.error().message()));
  auto r = env.execute();
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));

  std::vector<std::string> want;
  for (auto& [k, v] : expected)
    want.push_back("{\"content\":\"" + k.first + "\",\"window_start\":" + std::to_string(k.second) +
                   ",\"window_end\":" + std::to_string(k.second + 60'000) + ",\"requests\":" +
                   std::to_string(v.first) + ",\"sum_bytes\":" + std::to_string(v.second) + "}");
  std::sort(want.begin(), want.end());
  CHECK(lines_of(dir, "out") == want);
  auto dead = lines_of(dir, "dead");
  REQUIRE(dead.size() == 2);
  CHECK(dead[0].find("\"line\":102") != std::string::npos);
  CHECK(dead[1].find("\"line\":203") != std::string::npos);
  CHECK(built->sources.at(0).progress->dead_letters == 2);
  fs::remove_all(dir);
}

TEST_CASE("a pipeline that reads an unknown stream is rejected with the place") {
  auto spec = parse_pipeline(
      "sources:\n  - {name: a, type: json_lines, path: x}\nsteps:\n  - {name: b, input: nope, "
      "project: [x]}\nsinks: [{input: b, type: stdout}]\n",
      "p.yaml");
  REQUIRE(spec);
  local_environment env;
  auto built = build_pipeline(*spec, env);
  REQUIRE_FALSE(built);
  CHECK(built.error().message().find("p.yaml:4:5: steps[0].input: no stream named \"nope\"") == 0);
}
