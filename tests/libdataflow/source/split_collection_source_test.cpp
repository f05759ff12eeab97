// The split collection source reads its splits interleaved; with per-split watermarks no
// record arrives behind a watermark the reader already emitted, where one generator for the
// whole reader would have made the slow split's records late.
#include "dataflow/source/split_collection_source.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/source/collection_source.hpp"
#include "dataflow/testing/operator_harness.hpp"

using namespace dataflow;

namespace {

struct late_count {
  std::size_t records = 0;
  std::size_t late = 0;  // records behind the watermark already emitted
  timestamp last_wm = min_timestamp;
};

late_count read_all(source_reader& r, std::size_t batch) {
  late_count c;
  operator_output out(&record_type_of<int>());
  for (;;) {
    auto res = r.poll(out, batch, 0);
    for (auto& rec : out.records<int>()) {
      ++c.records;
      if (rec.ts <= c.last_wm) ++c.late;
    }
    if (out.watermark()) {
      CHECK(*out.watermark() > c.last_wm);
      c.last_wm = *out.watermark();
    }
    out.clear();
    if (res.what == source_reader::poll_result::kind::end) return c;
  }
}

/// Split 0 runs ahead in event time (0, 100, 200, ...); split 1 crawls (0, 1, ... 49).
std::vector<std::vector<record<int>>> skewed_splits() {
  std::vector<std::vector<record<int>>> splits(2);
  for (int i = 0; i < 100; ++i) {
    splits[0].push_back({i, i * 100});
    if (i < 50) splits[1].push_back({-i, i});
  }
  return splits;
}

operator_context context(int subtask, int parallelism) {
  operator_context ctx;
  ctx.info.subtask = subtask;
  ctx.info.parallelism = parallelism;
  return ctx;
}

}  // namespace

TEST_CASE("a split source keeps watermarks per split, so interleaving makes nothing late") {
  auto splits = std::make_shared<const std::vector<std::vector<record<int>>>>(skewed_splits());
  split_collection_source_reader<int> r(splits, watermark_strategy::monotonous());
  r.open(context(0, 1));
  auto c = read_all(r, 10);
  CHECK(c.records == 150);
  CHECK(c.late == 0);
  // Split 1 finished first, then split 0 alone set it; the poll that finished split 0 emits
  // none (the end of input brings the final watermark).
  CHECK(c.last_wm == 8899);
  // The same records through one generator per reader: split 1's records come late.
  std::vector<record<int>> interleaved;
  for (std::size_t i = 0; i < 100; ++i) {
    interleaved.push_back((*splits)[0][i]);
    if (i < 50) interleaved.push_back((*splits)[1][i]);
  }
  collection_source_reader<int> one(
      std::make_shared<const std::vector<record<int>>>(std::move(interleaved)),
      watermark_strategy::monotonous());
  one.open(context(0, 1));
  CHECK(read_all(one, 10).late > 40);
}

TEST_CASE("split s goes to instance s modulo the parallelism") {
  std::vector<std::vector<record<int>>> data(5);
  for (int s = 0; s < 5; ++s) data[static_cast<std::size_t>(s)].push_back({s, s});
  auto splits = std::make_shared<const std::vector<std::vector<record<int>>>>(data);
  std::vector<int> seen;
  for (int sub = 0; sub < 2; ++sub) {
    split_collection_source_reader<int> r(splits, watermark_strategy::none());
    r.open(context(sub, 2));
    CHECK(r.watermarks().size() == (sub == 0 ? 3u : 2u));
    operator_output out(&record_type_of<int>());
    auto res = r.poll(out, 100, 0);
    CHECK(res.what == source_reader::poll_result::kind::end);
    for (auto& rec : out.records<int>()) seen.push_back(rec.value);
  }
  CHECK(seen == std::vector<int>{0, 2, 4, 1, 3});
}

namespace {

/// Reads everything from `r` (opened as instance `subtask` of `p`), stopping after `cut` polls
/// to snapshot and go on in a fresh reader from `make()`: records and watermarks in order.
template <class Make>
std::vector<std::string> read_with_restore(Make make, int subtask, int p, int cut) {
  std::vector<std::string> seen;
  operator_context ctx;
  ctx.info.subtask = subtask;
  ctx.info.parallelism = p;
  auto r = make();
  r->open(ctx);
  operator_output out(&record_type_of<int>());
  for (int polls = 0;; ++polls) {
    if (polls == cut) {
      std::string bytes;
      REQUIRE(r->snapshot(bytes));
      r = make();
      REQUIRE(r->restore(bytes));
      r->open(ctx);
    }
    auto res = r->poll(out, 3, 0);
    for (auto& rec : out.records<int>())
      seen.push_back(std::to_string(rec.value) + "@" + std::to_string(rec.ts));
    if (out.watermark()) seen.push_back("wm " + std::to_string(*out.watermark()));
    out.clear();
    if (res.what == source_reader::poll_result::kind::end) return seen;
  }
}

}  // namespace

TEST_CASE("collection and split sources restored from a snapshot go on as if never stopped") {
  auto splits = std::make_shared<const std::vector<std::vector<record<int>>>>(skewed_splits());
  auto all = std::make_shared<const std::vector<record<int>>>(skewed_splits()[0]);
  auto ws = watermark_strategy::bounded_out_of_orderness(2);
  auto make_splits = [&] {
    return std::make_unique<split_collection_source_reader<int>>(splits, ws);
  };
  auto make_collection = [&] { return std::make_unique<collection_source_reader<int>>(all, ws); };
  for (int subtask : {0, 1}) {
    const auto whole_splits = read_with_restore(make_splits, subtask, 2, -1);
    const auto whole_collection = read_with_restore(make_collection, subtask, 2, -1);
    REQUIRE_FALSE(whole_collection.empty());
    for (int cut = 0; cut < 40; ++cut) {
      CAPTURE(subtask);
      CAPTURE(cut);
      CHECK(read_with_restore(make_splits, subtask, 2, cut) == whole_splits);
      CHECK(read_with_restore(make_collection, subtask, 2, cut) == whole_collection);
    }
  }
}

namespace {

/// Five splits of different lengths and speeds in event time; record values are unique.
std::vector<std::vector<record<int>>> uneven_splits() {
  std::vector<std::vector<record<int>>> splits(5);
  for (int s = 0; s < 5; ++s)
    for (int i = 0; i < 10 + 7 * s; ++i)
      splits[static_cast<std::size_t>(s)].push_back({s * 1000 + i, i * (s + 1) * 10 - (i % 3)});
  return splits;
}

/// What one instance emitted: record values, and how many records came at or behind a
/// watermark it had emitted before them.
struct emitted {
  std::vector<int> values;
  std::size_t late = 0;
};

/// Polls `r` (batches of 2) `polls` times or to its end; true when it ended.
bool poll_some(source_reader& r, emitted& e, int polls, timestamp& wm) {
  operator_output out(&record_type_of<int>());
  for (int i = 0; i < polls; ++i) {
    auto res = r.poll(out, 2, 0);
    for (auto& rec : out.records<int>()) {
      e.values.push_back(rec.value);
      if (rec.ts <= wm) ++e.late;
    }
    if (out.watermark()) wm = std::max(wm, *out.watermark());
    out.clear();
    if (res.what == source_reader::poll_result::kind::end) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("a split source restored at another parallelism reads every record once, none late") {
  auto splits = std::make_shared<const std::vector<std::vector<record<int>>>>(uneven_splits());
  std::size_t total = 0;
  for (auto& s : *splits) total += s.size();
  auto ws = watermark_strategy::bounded_out_of_orderness(3);
  auto make = [&] { return std::make_unique<split_collection_source_reader<int>>(splits, ws); };
  for (auto rescale : {std::pair{2, 1}, std::pair{1, 2}, std::pair{2, 3}, std::pair{3, 2}}) {
    const int from = rescale.first, to = rescale.second;
    for (int cut = 0; cut < 25; ++cut) {
      CAPTURE(from);
      CAPTURE(to);
      CAPTURE(cut);
      // The old instances read for different numbers of polls, then snapshot.
      std::vector<int> read;
      std::vector<std::string> bytes(static_cast<std::size_t>(from));
      std::uint64_t position = 0;
      for (int i = 0; i < from; ++i) {
        auto r = make();
        r->open(context(i, from));
        emitted e;
        timestamp wm = min_timestamp;
        poll_some(*r, e, cut * (i + 1) % 17, wm);
        CHECK(e.late == 0);
        read.insert(read.end(), e.values.begin(), e.values.end());
        REQUIRE(r->snapshot(bytes[static_cast<std::size_t>(i)]));
        position += r->position();
      }
      std::vector<std::string_view> pieces(bytes.begin(), bytes.end());
      std::uint64_t restored_position = 0;
      for (int j = 0; j < to; ++j) {
        auto r = make();
        REQUIRE(r->restore_rescaled(pieces));
        r->open(context(j, to));
        restored_position += r->position();
        // An instance is never ahead of what the splits it took had reached.
        const auto& wms = r->watermarks();
        for (std::size_t s = 0; s < wms.size(); ++s)
          if (!wms.split_finished(s)) CHECK(wms.current() <= wms.split_watermark(s));
        timestamp wm = wms.current();
        emitted e;
        REQUIRE(poll_some(*r, e, 1000, wm));
        CHECK(e.late == 0);
        read.insert(read.end(), e.values.begin(), e.values.end());
      }
      CHECK(restored_position == position);
      std::sort(read.begin(), read.end());
      std::vector<int> all;
      for (auto& s : *splits)
        for (auto& rec : s) all.push_back(rec.value);
      std::sort(all.begin(), all.end());
      CHECK(read == all);
      CHECK(read.size() == total);
    }
  }
}

TEST_CASE("a split source refuses snapshots that are not one earlier run whole") {
  auto splits = std::make_shared<const std::vector<std::vector<record<int>>>>(uneven_splits());
  auto make = [&] {
    return std::make_unique<split_collection_source_reader<int>>(splits,
                                                                 watermark_strategy::none());
  };
  std::string first, second;
  auto a = make(), b = make();
  a->open(context(0, 2));
  b->open(context(1, 2));
  REQUIRE(a->snapshot(first));
  REQUIRE(b->snapshot(second));
  // Its own snapshot at another parallelism, or half of a rescale, fails at open().
  auto own = make();
  REQUIRE(own->restore(first));
  CHECK_THROWS_WITH_AS(own->open(context(0, 1)),
                       doctest::Contains("written by instance 0 of 2, this is instance 0 of 1"),
                       std::runtime_error);
  auto half = make();
  std::vector<std::string_view> one{second};
  REQUIRE(half->restore_rescaled(one));
  CHECK_THROWS_WITH_AS(half->open(context(0, 1)), doctest::Contains("written by instance 1 of 2"),
                       std::runtime_error);
  // Sources that do not read splits refuse to be rescaled.
  auto all = std::make_shared<const std::vector<record<int>>>(skewed_splits()[0]);
  collection_source_reader<int> c(all, watermark_strategy::none());
  std::vector<std::string_view> both{first, second};
  CHECK(c.restore_rescaled(both).code() == errc::invalid_configuration);
}
