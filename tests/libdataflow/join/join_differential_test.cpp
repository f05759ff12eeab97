// Differential test of the joins: thousands of random out-of-order streams on both inputs, in
// random batches, with random watermarks (and a snapshot / restore now and then), run through
// the interval join and the window join and through deliberately simple references written
// here. The references keep every element that was on time when it arrived and join all pairs
// with nested loops:
// - interval join: same key, the bounds hold (each inclusive or exclusive, random, negative or
//   positive); an element is late when ts < the watermark at its arrival (Flink's rule);
//   result timestamp max(l.ts, r.ts);
// - window join: same key, both in a window [start, end) that had not fired (end - 1 > the
//   watermark) when either arrived; late when every window of the element had fired; result
//   timestamp end - 1.
// Compared: the multiset of outputs with timestamps, the late counts, the late side outputs,
// that no result is behind a watermark forwarded before it, and that no state is left at the
// end. Not covered: timestamps near the limits of int64.
//
// Seeds are fixed; a failure prints its seed. DATAFLOW_DIFF_SEEDS=n runs n seeds per test case,
// DATAFLOW_DIFF_FIRST_SEED=s starts at seed s.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "dataflow/join/interval_join_operator.hpp"
#include "dataflow/join/window_join_operator.hpp"
#include "dataflow/testing/operator_harness.hpp"

using namespace dataflow;

namespace {

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}
/// Seeds per test case: `release` (about 0.1 s per 1000 seeds in release, 1 s under ASan),
/// a quarter in an unoptimized build.
std::uint64_t seeds(std::uint64_t release) {
#ifdef NDEBUG
  const std::uint64_t n = release;
#else
  const std::uint64_t n = release / 4;
#endif
  return env_or("DATAFLOW_DIFF_SEEDS", n);
}

using ev = std::pair<int, int>;  // key, id (ids are unique over both sides)
struct key_of {
  int operator()(const ev& e) const noexcept { return e.first; }
};
struct ids {
  std::pair<int, int> operator()(const ev& l, const ev& r) const { return {l.second, r.second}; }
};
using out_t = std::pair<int, int>;
using harness = testing::operator_harness<ev, out_t, ev>;

/// One step of a random run: a batch on one side, or a watermark, or a snapshot and restore.
struct step {
  enum kind { left, right, watermark, snapshot } what;
  std::vector<record<ev>> batch;
  timestamp wm = 0;
};

struct arrival {
  record<ev> r;
  timestamp wm;  // the watermark when it arrived
};

/// A random stream: ids 1.., keys 0..keys-1, timestamps drifting upwards with disorder, and
/// watermarks that sometimes overtake elements still to come (which are then late).
std::vector<step> make_steps(std::mt19937_64& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int n = pick(0, 80), keys = pick(1, 4), disorder = pick(0, 30), batch_max = pick(1, 6);
  std::vector<step> steps;
  int id = 1;
  timestamp now = pick(-50, 50), wm = min_timestamp;
  while (id <= n) {
    int what = pick(0, 9);
    if (what < 8) {
      step s{what < 4 ? step::left : step::right, {}, 0};
      for (int b = pick(1, batch_max); b > 0 && id <= n; --b) {
        now += pick(0, 3);
        s.batch.push_back({{pick(0, keys - 1), id++}, now - pick(0, disorder)});
      }
      steps.push_back(std::move(s));
    } else if (what == 8) {
      timestamp next = now - pick(-5, disorder + 5);
      if (next > wm) {
        wm = next;
        steps.push_back({step::watermark, {}, wm});
      }
    } else {
      steps.push_back({step::snapshot, {}, 0});
    }
  }
  return steps;
}

/// Runs the steps through harness `h`, recording arrivals, checking that every result comes
/// after the last watermark forwarded before it, and returning the arrivals per side.
template <class MakeOp>
void drive(harness& h, const std::vector<step>& steps, MakeOp make, std::vector<arrival>& lefts,
           std::vector<arrival>& rights) {
  timestamp wm = min_timestamp;
  std::size_t seen = 0;
  auto check_outputs = [&](timestamp forwarded) {
    for (; seen < h.output().size(); ++seen) CHECK(h.output()[seen].ts > forwarded);
  };
  timestamp forwarded = min_timestamp;
  for (auto& s : steps) {
    switch (s.what) {
      case step::left:
        for (auto& r : s.batch) lefts.push_back({r, wm});
        h.push_batch(s.batch);
        break;
      case step::right:
        for (auto& r : s.batch) rights.push_back({r, wm});
        h.push_second_batch(s.batch);
        break;
      case step::watermark:
        wm = s.wm;
        h.push_watermark(s.wm);
        break;
      case step::snapshot:
        h.restore(make(), h.snapshot());
        break;
    }
    check_outputs(forwarded);
    if (!h.watermarks().empty()) forwarded = h.watermarks().back();
  }
}

std::vector<record<out_t>> sorted(std::vector<record<out_t>> v) {
  std::sort(v.begin(), v.end(),
            [](auto& a, auto& b) { return std::tie(a.value, a.ts) < std::tie(b.value, b.ts); });
  return v;
}

std::vector<int> ids_of(const std::vector<record<ev>>& rs) {
  std::vector<int> v;
  for (auto& r : rs) v.push_back(r.value.second);
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("differential: interval join matches nested loops over all on-time pairs") {
  const auto first = env_or("DATAFLOW_DIFF_FIRST_SEED", 1);
  const auto count = seeds(3000);
  std::uint64_t pairs = 0, late = 0;
  for (auto seed = first; seed < first + count; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    join_bounds b;
    b.lower = pick(-25, 25);
    b.upper = b.lower + pick(0, 30);
    b.lower_inclusive = pick(0, 1) == 1;
    b.upper_inclusive = pick(0, 1) == 1;
    const bool left_tag = pick(0, 1) == 1, right_tag = pick(0, 1) == 1;
    CAPTURE(b.lower);
    CAPTURE(b.upper);
    CAPTURE(b.lower_inclusive);
    CAPTURE(b.upper_inclusive);
    auto steps = make_steps(rng);
    using op_t = interval_join_operator<int, ev, ev, out_t, key_of, key_of, ids>;
    auto make = [&]() -> std::unique_ptr<operator_base> {
      interval_join_options o{b, left_tag ? "late-left" : "", right_tag ? "late-right" : ""};
      return std::make_unique<op_t>(key_of{}, key_of{}, ids{}, o);
    };
    harness h(make());
    std::vector<arrival> lefts, rights;
    drive(h, steps, make, lefts, rights);
    h.end();

    // The reference.
    std::vector<record<out_t>> expected;
    std::vector<int> late_left, late_right;
    for (auto& a : lefts)
      if (a.r.ts < a.wm) late_left.push_back(a.r.value.second);
    for (auto& a : rights)
      if (a.r.ts < a.wm) late_right.push_back(a.r.value.second);
    for (auto& l : lefts)
      for (auto& r : rights) {
        if (l.r.ts < l.wm || r.r.ts < r.wm || l.r.value.first != r.r.value.first) continue;
        const timestamp d = r.r.ts - l.r.ts;
        if (d < b.lower || (d == b.lower && !b.lower_inclusive)) continue;
        if (d > b.upper || (d == b.upper && !b.upper_inclusive)) continue;
        expected.push_back({{l.r.value.second, r.r.value.second}, std::max(l.r.ts, r.r.ts)});
      }
    std::sort(late_left.begin(), late_left.end());
    std::sort(late_right.begin(), late_right.end());

    auto& op = static_cast<op_t&>(h.op());
    REQUIRE(sorted(h.output()) == sorted(expected));
    // Counters restart with a restored operator; side outputs do not.
    CHECK(ids_of(h.side_output<ev>("late-left")) == (left_tag ? late_left : std::vector<int>{}));
    CHECK(ids_of(h.side_output<ev>("late-right")) == (right_tag ? late_right : std::vector<int>{}));
    if (std::none_of(steps.begin(), steps.end(),
                     [](const step& s) { return s.what == step::snapshot; })) {
      CHECK(op.late_left() == late_left.size());
      CHECK(op.late_right() == late_right.size());
    }
    CHECK(op.keys_with_state() == 0);
    pairs += expected.size();
    late += late_left.size() + late_right.size();
  }
  // The random streams must exercise the rules, not just pass trivially.
  CHECK(pairs > count * 5);
  CHECK(late > count / 4);
}

TEST_CASE("differential: window join matches nested loops over every window") {
  const auto first = env_or("DATAFLOW_DIFF_FIRST_SEED", 1);
  const auto count = seeds(3000);
  std::uint64_t pairs = 0, late = 0;
  for (auto seed = first; seed < first + count; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed * 7919);
    auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
    sliced_geometry g;
    g.size = pick(1, 30);
    g.slide = pick(0, 1) == 1 ? g.size : pick(1, static_cast<int>(g.size));
    g.offset = pick(-40, 40);
    CAPTURE(g.size);
    CAPTURE(g.slide);
    CAPTURE(g.offset);
    auto steps = make_steps(rng);
    using op_t = window_join_operator<int, ev, ev, out_t, key_of, key_of, ids>;
    auto make = [&]() -> std::unique_ptr<operator_base> {
      return std::make_unique<op_t>(key_of{}, key_of{}, ids{}, g);
    };
    harness h(make());
    std::vector<arrival> lefts, rights;
    drive(h, steps, make, lefts, rights);
    h.end();

    // The reference: every window of every element, by brute force.
    auto windows_of = [&](timestamp ts) {
      std::vector<time_window> ws;
      for (timestamp s = window_start(ts, g.offset, g.slide); s > ts - g.size; s -= g.slide)
        ws.push_back({s, s + g.size});
      return ws;
    };
    auto open = [&](const time_window& w, const arrival& a) { return w.max_timestamp() > a.wm; };
    std::size_t late_count = 0;
    auto is_late = [&](const arrival& a) {
      auto ws = windows_of(a.r.ts);
      return std::none_of(ws.begin(), ws.end(), [&](auto& w) { return open(w, a); });
    };
    for (auto& a : lefts) late_count += is_late(a);
    for (auto& a : rights) late_count += is_late(a);
    std::vector<record<out_t>> expected;
    for (auto& l : lefts)
      for (auto& r : rights) {
        if (l.r.value.first != r.r.value.first) continue;
        for (auto& w : windows_of(l.r.ts))
          if (w.contains(r.r.ts) && open(w, l) && open(w, r))
            expected.push_back({{l.r.value.second, r.r.value.second}, w.max_timestamp()});
      }

    auto& op = static_cast<op_t&>(h.op());
    REQUIRE(sorted(h.output()) == sorted(expected));
    if (std::none_of(steps.begin(), steps.end(),
                     [](const step& s) { return s.what == step::snapshot; }))
      CHECK(op.late_left() + op.late_right() == late_count);
    CHECK(op.keys_with_state() == 0);
    pairs += expected.size();
    late += late_count;
  }
  CHECK(pairs > count * 5);
  CHECK(late > count / 4);
}
