// Issue #4's benchmark: JSON-lines file -> parse -> 1-minute tumbling count per key -> JSON-lines
// file sink, next to the raw speed of reading the same file line by line without parsing, and of
// parsing without the job. Each mode runs in its own process so that peak RSS is its own.
// Prints one JSON line per run. Usage:
//   json_pipeline_bench generate LINES KEYS FILE    writes the input (gzip when FILE ends in .gz)
//   json_pipeline_bench read FILE                   line_reader only
//   json_pipeline_bench parse FILE                  line_reader + simdjson into rows
//   json_pipeline_bench pipeline FILE OUT [P]       the whole job at parallelism P (default 1)
#include <sys/resource.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dataflow/actors/local_environment.hpp"
#include "dataflow/aggregate/row_aggregates.hpp"
#include "dataflow/io/line_reader.hpp"
#include "dataflow/json/json_line_parser.hpp"
#include "dataflow/json/json_line_writer.hpp"
#include "dataflow/row/row_key.hpp"
#include "dataflow/source/row_generator.hpp"

using namespace dataflow;

namespace {

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void report(const char* mode, const std::string& file, std::uint64_t lines, std::uint64_t bytes,
            double secs, int parallelism, std::uint64_t results) {
  std::printf(
      "{\"bench\":\"json_pipeline\",\"mode\":\"%s\",\"file\":\"%s\",\"parallelism\":%d,"
      "\"lines\":%llu,\"mb\":%.1f,\"seconds\":%.3f,\"lines_per_s\":%.0f,\"mb_per_s\":%.1f,"
      "\"results\":%llu,\"peak_rss_mb\":%.1f}\n",
      mode, file.c_str(), parallelism, static_cast<unsigned long long>(lines),
      static_cast<double>(bytes) / 1e6, secs, static_cast<double>(lines) / secs,
      static_cast<double>(bytes) / 1e6 / secs, static_cast<unsigned long long>(results),
      peak_rss_mb());
}

/// Content-delivery-like lines of about 150 bytes, one per millisecond of event time.
int generate(std::uint64_t lines, std::int64_t keys, const std::string& file) {
  row_generator_spec spec;
  spec.seed = 1;
  spec.time = {.field = "ts", .start = 1'795'478'400'000, .per_second = 1000, .max_disorder = 0};
  spec.fields = {generated_field::uniform_int("user_id", 1, 1'000'000),
                 generated_field::uniform_int("content_id", 1, keys),
                 generated_field::pattern("url", "https://cdn.example.com/c/{content_id}.ts"),
                 generated_field::uniform_int("bytes", 1000, 4'000'000),
                 generated_field::choice("status", {200, 206, 404}, {90, 8, 2}),
                 generated_field::choice("device", {"tv", "phone", "web"})};
  row_generator gen(spec);
  const bool gz = file.size() > 3 && file.substr(file.size() - 3) == ".gz";
  gzFile z = gz ? gzopen(file.c_str(), "wb1") : nullptr;
  std::FILE* f = gz ? nullptr : std::fopen(file.c_str(), "wb");
  if (!z && !f) {
    std::fprintf(stderr, "cannot write %s\n", file.c_str());
    return 1;
  }
  std::string buf;
  for (std::uint64_t i = 0; i < lines; ++i) {
    append_json_line(buf, gen(i).value);
    if (buf.size() > (1 << 20) || i + 1 == lines) {
      if (z)
        gzwrite(z, buf.data(), static_cast<unsigned>(buf.size()));
      else
        std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  }
  if (z) gzclose(z);
  if (f) std::fclose(f);
  return 0;
}

int read_only(const std::string& file) {
  line_reader in;
  if (auto s = in.open(file); !s) return std::fprintf(stderr, "%s\n", s.to_string().c_str()), 1;
  auto t0 = std::chrono::steady_clock::now();
  std::string_view line;
  std::uint64_t n = 0, bytes = 0, sum = 0;
  while (in.next(line)) {
    ++n;
    bytes += line.size() + 1;
    sum += static_cast<unsigned char>(line.back());  // touch the line so the loop is real
  }
  report("read", file, n, bytes, seconds_since(t0), 1, sum % 2);
  return 0;
}

int parse_only(const std::string& file) {
  line_reader in;
  if (auto s = in.open(file); !s) return std::fprintf(stderr, "%s\n", s.to_string().c_str()), 1;
  json_parse_options opts;
  opts.timestamp_field = "ts";
  json_line_parser parser(opts);
  auto t0 = std::chrono::steady_clock::now();
  std::string_view line;
  row r;
  timestamp ts = 0;
  std::uint64_t n = 0, bytes = 0, errors = 0;
  while (in.next(line)) {
    ++n;
    bytes += line.size() + 1;
    if (parser.parse(line, r, ts) != json_line_parser::outcome::record) ++errors;
  }
  report("parse", file, n, bytes, seconds_since(t0), 1, errors);
  return 0;
}

int pipeline(const std::string& file, const std::string& out, int parallelism) {
  local_environment env;
  env.set_parallelism(parallelism);
  json_source_options src;
  src.path = file;
  src.parse.timestamp_field = "ts";
  src.watermarks = watermark_strategy::monotonous();
  src.progress = std::make_shared<json_source_progress>();
  const auto content = field_id::of("content_id");
  const std::vector<field_id> key_fields{content};
  const auto start = field_id::of("window_start"), end = field_id::of("window_end");
  json_sink_options sink;
  sink.path = out;
  env.from_json_lines(src, "events")
      .set_parallelism(1)  // one input file: one reader
      .key_by([key_fields](const row& r) { return row_key::of(r, key_fields); })
      .window(tumbling_windows(60'000))
      .aggregate(row_aggregates({{row_aggregate_kind::count, {}, field_id::of("count")}}),
                 [content, start, end](const row_key& k, const time_window& w, const row& aggs) {
                   row o;
                   o.reserve(4);
                   o.append(content, k[0]);
                   o.append(start, w.start);
                   o.append(end, w.end);
                   for (auto& f : aggs) o.append(f.id, f.value);
                   return o;
                 })
      .sink_to_json_lines(sink, "results");
  auto t0 = std::chrono::steady_clock::now();
  auto r = env.execute();
  const double secs = seconds_since(t0);
  if (!r) return std::fprintf(stderr, "%s\n", r.error().to_string().c_str()), 1;
  std::uint64_t results = 0;
  {
    line_reader check;
    std::string_view line;
    for (int i = 0; i < parallelism; ++i) {
      std::string path = parallelism == 1 ? out
                                          : out.substr(0, out.rfind('.')) + "-" +
                                                std::to_string(i) + out.substr(out.rfind('.'));
      if (!check.open(path)) continue;
      while (check.next(line)) ++results;
    }
  }
  report("pipeline", file, src.progress->records.load(), src.progress->bytes.load(), secs,
         parallelism, results);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "generate" && argc == 5)
    return generate(std::strtoull(argv[2], nullptr, 10), std::strtoll(argv[3], nullptr, 10),
                    argv[4]);
  if (mode == "read" && argc == 3) return read_only(argv[2]);
  if (mode == "parse" && argc == 3) return parse_only(argv[2]);
  if (mode == "pipeline" && (argc == 4 || argc == 5))
    return pipeline(argv[2], argv[3], argc == 5 ? std::atoi(argv[4]) : 1);
  std::fprintf(stderr,
               "usage: json_pipeline_bench generate LINES KEYS FILE | read FILE | parse FILE | "
               "pipeline FILE OUT [P]\n");
  return 2;
}
