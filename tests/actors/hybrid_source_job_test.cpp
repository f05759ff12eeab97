// History then live in whole jobs on the embedded runtime: a hybrid source reads JSON-lines
// files written from a row generator, then the same generator from an offset, and windows over
// it give exactly the results of one bounded run over the same events, at parallelism 1 and 2.
// The history overlaps the live part by two seconds of event time around the switch, out of
// order, so both sides drop records there; without the clamp of the history's watermark below
// the switch, live records would be late and windows would lose them.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "../libdataflow/io/temp_dir.hpp"
#include "dataflow/actors/local_environment.hpp"
#include "dataflow/aggregate/row_aggregates.hpp"
#include "dataflow/json/json_line_writer.hpp"
#include "dataflow/row/row_key.hpp"
#include "dataflow/source/row_generator.hpp"

using namespace dataflow;
using dataflow::testing::temp_dir;
using dataflow::testing::write_file;
using dataflow::testing::write_gzip;

namespace {

constexpr timestamp start = 1'700'000'000'000;
constexpr std::uint64_t total = 20'000;  // records, one per 5 ms of event time
constexpr std::uint64_t live_from = 12'000;
constexpr std::uint64_t overlap = 400;  // the history also holds live_from .. live_from + 399
constexpr timestamp switch_at = start + static_cast<timestamp>(live_from) * 5;
constexpr duration_ms disorder = 400;

row_generator make_generator() {
  row_generator_spec spec;
  spec.seed = 11;
  spec.time = {.field = "ts", .start = start, .per_second = 200, .max_disorder = disorder};
  spec.fields.push_back(generated_field::zipf("content", 20, 1.0));
  spec.fields.push_back(generated_field::uniform_int("bytes", 1, 1000));
  return row_generator(spec);
}

// Records 0 .. live_from + overlap - 1 in six files of alternating sizes (instance 0 of 2 reads
// the big ones, so instance 1 switches to live long before it), one gzip, with two bad lines.
void write_history(const temp_dir& dir, const row_generator& gen) {
  const std::uint64_t end = live_from + overlap;
  std::vector<std::uint64_t> bounds{0};
  for (int f = 0; f < 6; ++f) bounds.push_back(end * static_cast<std::uint64_t>(f + 1) / 6);
  for (int f = 0; f < 6; f += 2) bounds[static_cast<std::size_t>(f) + 1] += end / 9;  // uneven
  for (std::size_t f = 0; f < 6; ++f) {
    std::string text;
    for (auto i = bounds[f]; i < bounds[f + 1]; ++i) {
      append_json_line(text, gen(i).value);
      if (f == 1 && (i == bounds[f] + 3 || i == bounds[f] + 9)) text += "{\"ts\": \"later\"}\n";
    }
    std::string name = "history/part-0";
    name += static_cast<char>('0' + f);
    if (f == 3)
      write_gzip(dir / (name + ".jsonl.gz"), text);
    else
      write_file(dir / (name + ".jsonl"), text);
  }
}

struct job_output {
  std::multiset<std::string> windows;
  std::size_t late = 0, dead_letters = 0;
  std::uint64_t input_records = 0;
};

// Per content and 1-second window: count and sum of bytes, as JSON lines.
job_output windows_over(local_environment& env, data_stream<row> events) {
  static const std::vector<field_id> key{field_id::of("content")};
  std::vector<row_aggregate_spec> specs{
      {row_aggregate_kind::count, field_id{}, field_id::of("count")},
      {row_aggregate_kind::sum, field_id::of("bytes"), field_id::of("bytes")}};
  auto result = [](const row_key& k, const time_window& w, const row& aggs) {
    row out;
    out.append(key[0], k[0]);
    out.append(field_id::of("window_start"), w.start);
    for (auto& f : aggs) out.append(f.id, f.value);
    return out;
  };
  output_tag<row> late{"late"};
  auto w = events.key_by([](const row& r) { return row_key::of(r, key); })
               .window(tumbling_windows(1000));
  w.side_output_late_data(late);
  auto out = w.aggregate(row_aggregates(specs), result, "per-second");
  auto results = out.collect();
  auto late_rows = out.side_output(late).collect();
  auto r = env.execute();
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  job_output o;
  for (auto& rec : results->records()) {
    std::string line;
    append_json(line, rec.value);
    o.windows.insert(line);
    o.input_records += static_cast<std::uint64_t>(rec.value.get(field_id::of("count")).as_int());
  }
  o.late = late_rows->size();
  return o;
}

job_output bounded_run(int parallelism) {
  local_environment env;
  env.options().threads = 2;
  env.set_parallelism(parallelism);
  generator_options g;
  g.count = total;
  g.watermarks = watermark_strategy::bounded_out_of_orderness(500);
  return windows_over(env, env.from_generator<row>(make_generator(), g, "all events"));
}

struct hybrid_output {
  job_output job;
  std::uint64_t history_dropped = 0, live_dropped = 0, switched = 0;
};

hybrid_output hybrid_run(const temp_dir& dir, int parallelism) {
  local_environment env;
  env.options().threads = 2;
  env.options().channels.batch_size = 64;
  env.set_parallelism(parallelism);
  json_source_options h;
  h.path = dir / "history";
  h.parse.timestamp_field = "ts";
  h.watermarks = watermark_strategy::bounded_out_of_orderness(500);
  generator_options l;
  l.count = total - live_from;
  l.watermarks = watermark_strategy::bounded_out_of_orderness(500);
  auto gen = make_generator();
  hybrid_source_options o;
  o.history = [h] { return std::make_unique<json_lines_source_reader>(h, "events"); };
  o.live = [gen, l] {
    return std::make_unique<generator_source_reader<row>>(
        [gen](std::uint64_t i) { return gen(live_from + i); }, l);
  };
  o.switch_at = switch_at;
  o.progress = std::make_shared<hybrid_source_progress>();
  auto events = env.from_hybrid<row>(o, "events");
  auto dead = events.side_output(json_lines_dead_letters).collect();
  hybrid_output out;
  out.job = windows_over(env, events);
  out.job.dead_letters = dead->size();
  out.history_dropped = o.progress->history_dropped;
  out.live_dropped = o.progress->live_dropped;
  out.switched = o.progress->switched;
  return out;
}

}  // namespace

TEST_CASE("hybrid source job: history then live gives the windows of one bounded run") {
  const auto gen = make_generator();
  // The drops the switch must make: in the overlap, those before S come from the history and
  // the others from the live part. Outside it, the disorder cannot cross S.
  std::uint64_t before = 0, after = 0;
  for (auto i = live_from; i < live_from + overlap; ++i) (gen(i).ts < switch_at ? before : after)++;
  REQUIRE(before > 0);  // out-of-order events on both sides of the switch
  REQUIRE(after > 0);
  std::uint64_t crossing = 0;
  for (std::uint64_t i = 0; i < total; ++i)
    if ((i < live_from && gen(i).ts >= switch_at) ||
        (i >= live_from + overlap && gen(i).ts < switch_at))
      ++crossing;
  REQUIRE(crossing == 0);
  temp_dir dir;
  write_history(dir, gen);
  for (int p : {1, 2}) {
    CAPTURE(p);
    auto expected = bounded_run(p);
    CHECK(expected.input_records == total);
    CHECK(expected.late == 0);
    auto got = hybrid_run(dir, p);
    CHECK(got.job.input_records == total);
    CHECK(got.job.late == 0);
    CHECK(got.job.windows == expected.windows);
    CHECK(got.history_dropped == after);
    CHECK(got.live_dropped == before);
    CHECK(got.switched == static_cast<std::uint64_t>(p));
    CHECK(got.job.dead_letters == 2);
  }
}
