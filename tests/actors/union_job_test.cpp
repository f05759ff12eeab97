// A union of more than two streams in a whole job: every record of every input arrives once,
// watermarks only advance, and (at parallelism 1, where the sink's events are one sequence) no
// record of a slow input arrives behind the watermark that the fast inputs would allow.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "dataflow/actors/local_environment.hpp"

using namespace dataflow;

TEST_CASE("a union of four streams keeps every record and the minimum watermark") {
  for (int p : {1, 2}) {
    CAPTURE(p);
    local_environment env;
    env.options().threads = 2;
    env.options().channels.batch_size = 1;  // watermarks interleave with records
    env.set_parallelism(p);
    // Four inputs that advance event time at different speeds: input k is at k * 10 + i * step.
    std::vector<data_stream<int>> inputs;
    std::vector<int> expected;
    for (int k = 0; k < 4; ++k) {
      std::vector<record<int>> rs;
      const int step = 1 + k * 20;
      for (int i = 0; i < 60; ++i) {
        rs.push_back({k * 1000 + i, k * 10 + i * step});
        expected.push_back(k * 1000 + i);
      }
      inputs.push_back(env.from_collection(rs, watermark_strategy::monotonous(),
                                           std::string("input ") + static_cast<char>('a' + k)));
    }
    auto out = inputs[0].union_with(inputs[1], inputs[2], inputs[3]).collect();
    REQUIRE(env.execute());
    auto values = out->values();
    std::sort(values.begin(), values.end());
    std::sort(expected.begin(), expected.end());
    CHECK(values == expected);
    // Per sink instance: no record at or behind a watermark that instance already received.
    std::vector<timestamp> wm(static_cast<std::size_t>(p), min_timestamp);
    std::size_t late = 0, watermarks = 0;
    for (auto& ev : out->events()) {
      if (auto* w = std::get_if<collected<int>::watermark_mark>(&ev)) {
        auto& cur = wm[static_cast<std::size_t>(w->subtask)];
        CHECK(w->wm > cur);
        cur = w->wm;
        ++watermarks;
      } else if (auto* r = std::get_if<record<int>>(&ev)) {
        // Records carry no subtask: with p = 1 there is one, so check it exactly there.
        if (p == 1 && r->ts <= wm[0]) ++late;
      }
    }
    CHECK(watermarks > 1);
    CHECK(late == 0);
  }
}
