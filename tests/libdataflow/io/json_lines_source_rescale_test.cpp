// The JSON-lines source restored at another parallelism, over real files: the old instances
// read for a while and snapshot, the new ones take every snapshot (restore_rescaled) and read
// the rest. Every line is read exactly once (records and dead letters), no record comes behind
// a watermark its instance emitted, and a started file that waits for its turn holds the
// instance's watermark back, also with an idleness timeout.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/io/json_lines_source.hpp"
#include "temp_dir.hpp"

using namespace dataflow;
using dataflow::testing::temp_dir;
using dataflow::testing::write_file;
using dataflow::testing::write_gzip;

namespace {

operator_context instance(int subtask, int parallelism) {
  operator_context ctx;
  ctx.info.subtask = subtask;
  ctx.info.parallelism = parallelism;
  return ctx;
}

/// What instances emitted: record ids, dead letters (file and line), and records that came
/// at or behind a watermark their instance had emitted before them.
struct emitted {
  std::vector<std::int64_t> ids;
  std::vector<std::string> dead;
  std::size_t late = 0;
  timestamp last_wm = min_timestamp;  // the last watermark emitted
};

/// Polls `r` (3 records a poll, processing time 100 ms further each poll) `polls` times or to
/// its end; `wm` is the instance's watermark so far. True when it ended.
bool poll_some(json_lines_source_reader& r, emitted& e, int polls, timestamp& wm) {
  operator_output out(&record_type_of<row>());
  for (int i = 0; i < polls; ++i) {
    auto res = r.poll(out, 3, i * 100);
    for (auto& rec : out.records<row>()) {
      e.ids.push_back(rec.value.get(field_id::of("id")).as_int());
      if (rec.ts <= wm) ++e.late;
    }
    for (auto& [tag, b] : out.sides())
      for (auto& d : records_of<dead_letter>(*b))
        e.dead.push_back(d.value.file + ":" + std::to_string(d.value.line));
    if (out.watermark()) wm = std::max(wm, *out.watermark());
    out.clear();
    if (res.what == source_reader::poll_result::kind::end) return true;
  }
  return false;
}

/// Old instances of `from` read `cut(i)` polls each and snapshot; instances of `to` restore
/// every snapshot and read to the end. Returns everything read, before and after.
template <class Cut>
emitted rescale(const json_source_options& o, int from, int to, Cut cut,
                std::vector<emitted>* after = nullptr) {
  emitted all;
  std::vector<std::string> bytes(static_cast<std::size_t>(from));
  std::uint64_t position = 0;
  for (int i = 0; i < from; ++i) {
    json_lines_source_reader r(o, "src");
    r.open(instance(i, from));
    emitted e;
    timestamp wm = min_timestamp;
    poll_some(r, e, cut(i), wm);
    CHECK(e.late == 0);
    all.ids.insert(all.ids.end(), e.ids.begin(), e.ids.end());
    all.dead.insert(all.dead.end(), e.dead.begin(), e.dead.end());
    REQUIRE(r.snapshot(bytes[static_cast<std::size_t>(i)]));
    position += r.position();
  }
  std::vector<std::string_view> pieces(bytes.begin(), bytes.end());
  std::uint64_t restored = 0;
  for (int j = 0; j < to; ++j) {
    json_lines_source_reader r(o, "src");
    REQUIRE(r.restore_rescaled(pieces));
    r.open(instance(j, to));
    restored += r.position();
    timestamp wm = r.watermarks().current();
    emitted e;
    REQUIRE(poll_some(r, e, 10'000, wm));
    e.last_wm = wm;
    all.ids.insert(all.ids.end(), e.ids.begin(), e.ids.end());
    all.dead.insert(all.dead.end(), e.dead.begin(), e.dead.end());
    all.late += e.late;
    if (after) after->push_back(e);
  }
  CHECK(restored == position);
  std::sort(all.ids.begin(), all.ids.end());
  std::sort(all.dead.begin(), all.dead.end());
  return all;
}

json_source_options options(const temp_dir& dir) {
  json_source_options o;
  o.path = dir / "in";
  o.parse.timestamp_field = "ts";
  o.watermarks = watermark_strategy::bounded_out_of_orderness(30);
  o.read_buffer = 64;  // small: a resumed offset lies past several refills
  return o;
}

}  // namespace

TEST_CASE("json lines source rescaled: every line once and none late, at any cut") {
  // Rolled logs: file f holds [f * 1000, f * 1000 + 400), a little out of order; file 2 is
  // gzip and has a bad line.
  temp_dir dir;
  std::vector<std::int64_t> ids;
  for (int f = 0; f < 5; ++f) {
    std::string text;
    for (int i = 0; i < 20; ++i) {
      const int id = f * 100 + i;
      ids.push_back(id);
      text += R"({"id":)" + std::to_string(id) + R"(,"ts":)" +
              std::to_string(f * 1000 + i * 20 - (i % 2) * 25) + "}\n";
      if (f == 2 && i == 8) text += "{\"id\":oops}\n";
    }
    auto name = dir / ("in/part" + std::to_string(f) + (f == 2 ? ".jsonl.gz" : ".jsonl"));
    if (f == 2)
      write_gzip(name, text);
    else
      write_file(name, text);
  }
  const auto o = options(dir);
  for (auto rescaling : {std::pair{2, 1}, std::pair{1, 2}, std::pair{2, 3}, std::pair{3, 2}}) {
    const int from = rescaling.first, to = rescaling.second;
    for (int cut = 0; cut < 40; ++cut) {
      CAPTURE(from);
      CAPTURE(to);
      CAPTURE(cut);
      auto all = rescale(o, from, to, [&](int i) { return (cut * (i + 2)) % 41; });
      CHECK(all.ids == ids);
      REQUIRE(all.dead.size() == 1);
      CHECK(all.dead[0].find("part2.jsonl.gz:10") != std::string::npos);
      CHECK(all.late == 0);
    }
  }
}

TEST_CASE("json lines source rescaled: a started file waiting for its turn holds the watermark") {
  // Two partitions written side by side in time, each rolled into two files: 0 and 1 hold
  // [0, 1000), 2 and 3 hold [1000, 2000). At parallelism 2 instance 0 reads 0 then 2, instance
  // 1 reads 1 then 3. Cut when both are inside their second file and restore at parallelism
  // 1: it reads file 2 to its end, then file 3 from where it was, whose records are older
  // than file 2's end. With file 3's watermark state in the minimum, none of them is late;
  // the idleness timeout (polls are 100 ms apart) does not let the waiting file drop out.
  temp_dir dir;
  std::vector<std::int64_t> ids;
  for (int f = 0; f < 4; ++f) {
    std::string text;
    for (int i = 0; i < 50; ++i) {
      const int id = f * 100 + i;
      ids.push_back(id);
      text += R"({"id":)" + std::to_string(id) + R"(,"ts":)" +
              std::to_string((f / 2) * 1000 + i * 20 + f % 2) + "}\n";
    }
    write_file(dir / ("in/part" + std::to_string(f) + ".jsonl"), text);
  }
  auto o = options(dir);
  o.watermarks = watermark_strategy::bounded_out_of_orderness(30).with_idleness(150);
  // 25 polls of 3 records: 50 records of the first file, then 25 of the second.
  std::vector<emitted> after;
  auto all = rescale(
      o, 2, 1, [](int) { return 25; }, &after);
  CHECK(all.ids == ids);
  CHECK(all.late == 0);
  REQUIRE(after.size() == 1);
  CHECK(after[0].ids.size() == 50);
  CHECK(after[0].last_wm >= 1900);  // it did emit watermarks, up to file 3's end
}
