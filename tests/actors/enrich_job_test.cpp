// Enrichment in whole jobs: every element comes out exactly once with its window's aggregate,
// at parallelism 1, 2 and 4, and the window results on the side output equal those of a plain
// windowed aggregate over the same stream.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "dataflow/actors/local_environment.hpp"

using namespace dataflow;

namespace {

struct view {
  std::string content;
  int id = 0;
  std::int64_t bytes = 0;
  friend bool operator==(const view&, const view&) = default;
  friend auto operator<=>(const view&, const view&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(content, id, bytes);
  }
};

auto by_content = [](const view& v) { return v.content; };

// One record per 7 ms over 5 contents, up to 35 ms out of order.
std::vector<record<view>> make_views(int n) {
  std::vector<record<view>> out;
  for (int i = 0; i < n; ++i)
    out.push_back({{"c" + std::to_string(i % 5), i, i % 13}, i * 7 - (i * 31) % 36});
  return out;
}

}  // namespace

TEST_CASE("enrichment in a job: one output per element with its sliding window's sum") {
  const auto input = make_views(3'000);
  const duration_ms size = 1'000, slide = 100;
  for (int p : {1, 2, 4}) {
    CAPTURE(p);
    local_environment env;
    env.options().threads = 2;
    env.set_parallelism(p);
    output_tag<window_result<std::string, std::int64_t>> results{"results"};
    auto enriched_stream =
        env.from_collection(input, watermark_strategy::bounded_out_of_orderness(40))
            .key_by(by_content)
            .window(sliding_windows(size, slide))
            .side_output_results(results.id)
            .enrich(agg::sum(&view::bytes));
    auto out = enriched_stream.collect();
    auto side = enriched_stream.side_output(results).collect("results");
    auto plain = env.from_collection(input, watermark_strategy::bounded_out_of_orderness(40))
                     .key_by(by_content)
                     .window(sliding_windows(size, slide))
                     .aggregate(agg::sum(&view::bytes))
                     .collect("plain");
    auto r = env.execute();
    REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));

    auto got = out->records();
    REQUIRE(got.size() == input.size());
    std::map<int, record<enriched<view, std::int64_t>>> by_id;
    for (auto& g : got) by_id.emplace(g.value.element.id, g);
    REQUIRE(by_id.size() == input.size());  // no element twice
    for (auto& in : input) {
      const auto& e = by_id.at(in.value.id);
      const timestamp end = window_start(in.ts, 0, slide) + slide;
      std::int64_t sum = 0;
      for (auto& o : input)
        if (o.value.content == in.value.content && o.ts >= end - size && o.ts < end)
          sum += o.value.bytes;
      CHECK(e.value.element == in.value);
      CHECK(e.value.status == enrich_status::on_time);
      CHECK(e.value.window == time_window{end - size, end});
      CHECK(e.value.aggregate == sum);
      CHECK(e.ts == end - 1);
    }
    auto a = side->values(), b = plain->values();
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    CHECK(a == b);
    CHECK(!a.empty());
  }
}
