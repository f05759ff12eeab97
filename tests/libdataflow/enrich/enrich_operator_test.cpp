// Enrichment: every element exactly once, with the aggregate of its key's first window after it.
// The rules one by one, then thousands of random out-of-order streams (random watermarks,
// lateness, tumbling and sliding windows, snapshots) against a simple reference written here
// that keeps every accepted element in a list and recomputes each aggregate from it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <tuple>
#include <vector>

#include "dataflow/api/data_stream.hpp"
#include "dataflow/api/environment.hpp"
#include "dataflow/testing/operator_harness.hpp"

using namespace dataflow;

namespace {

struct ev {
  int key = 0;
  std::int64_t v = 0;
  int id = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(key, v, id);
  }
  friend bool operator==(const ev&, const ev&) = default;
  friend std::ostream& operator<<(std::ostream& os, const ev& e) {
    return os << "#" << e.id << " k" << e.key << " v" << e.v;
  }
};

struct key_of {
  int operator()(const ev& e) const noexcept { return e.key; }
};
struct value_of {
  std::int64_t operator()(const ev& e) const noexcept { return e.v; }
};

using sum_agg = decltype(agg::sum<ev>(value_of{}));
using R = sum_agg::result_type;
using out_t = enriched<ev, R>;
using op_t = enrich_operator<int, ev, sum_agg, out_t, key_of, detail::make_enriched>;

std::unique_ptr<operator_base> make(
    duration_ms size, duration_ms slide, duration_ms lateness, const std::string& results_tag = {},
    std::size_t output_step = window_options{}.max_output_per_step) {
  window_options o;
  o.allowed_lateness = lateness;
  o.max_output_per_step = output_step;
  auto a = agg::sum<ev>(value_of{});
  const auto strategy = size == slide ? slice_strategy::single_slice : slice_strategy_for(a);
  return std::make_unique<op_t>(key_of{}, a, detail::make_enriched{},
                                sliced_geometry{size, slide, 0}, o, strategy, results_tag);
}

using harness = testing::operator_harness<ev, out_t>;

}  // namespace

TEST_CASE("enrich: an on-time element waits for its window and gets the complete result") {
  harness h(make(10'000, 1'000, 0));
  h.push({1, 5, 1}, 1'500);  // first window after it: [-8000, 2000)
  h.push({1, 7, 2}, 1'900);
  h.push({1, 100, 3}, 2'000);  // the next window [-7000, 3000)
  h.push({2, 1, 4}, 1'000);
  CHECK(h.output().empty());
  h.push_watermark(1'998);
  CHECK(h.output().empty());
  h.push_watermark(1'999);  // [.., 2000) fires: elements 1, 2 (key 1) and 4 (key 2)
  REQUIRE(h.output().size() == 3);
  std::map<int, std::pair<R, timestamp>> got;
  for (auto& r : h.output()) {
    got[r.value.element.id] = {*r.value.aggregate, r.ts};
    CHECK(r.value.status == enrich_status::on_time);
    CHECK(r.value.window == time_window{-8'000, 2'000});
  }
  CHECK(got[1] == std::pair<R, timestamp>{12, 1'999});
  CHECK(got[2] == std::pair<R, timestamp>{12, 1'999});
  CHECK(got[4] == std::pair<R, timestamp>{1, 1'999});
  CHECK(h.watermarks().back() == 1'999);  // results go before the watermark
  h.end();
  REQUIRE(h.output().size() == 4);
  CHECK(h.output()[3].value.element.id == 3);
  CHECK(*h.output()[3].value.aggregate == 112);  // the sliding window holds all of key 1
  CHECK(dynamic_cast<op_t&>(h.op()).keys_with_state() == 0);
}

TEST_CASE("enrich: a late element within the lateness re-fires its window and gets it at once") {
  harness h(make(1'000, 1'000, 5'000, "results"));
  h.push({1, 5, 1}, 100);
  h.push_watermark(2'000);  // [0, 1000) fired with 5
  REQUIRE(h.output().size() == 1);
  h.push({1, 7, 2}, 200);  // late, within the lateness: re-fire with 12
  REQUIRE(h.output().size() == 2);
  CHECK(h.output()[1].value.status == enrich_status::late);
  CHECK(*h.output()[1].value.aggregate == 12);
  CHECK(h.output()[1].ts == 999);
  auto results = h.side_output<window_result<int, R>>("results");
  REQUIRE(results.size() == 2);  // the first firing and the re-firing
  CHECK(results[1].value.value == 12);
  h.push_watermark(6'000);  // cleaned up at 999 + 5000
  h.push({1, 9, 3}, 300);   // too late: no aggregate, but still one output
  REQUIRE(h.output().size() == 3);
  CHECK(h.output()[2].value.status == enrich_status::too_late);
  CHECK_FALSE(h.output()[2].value.aggregate.has_value());
  auto& c = dynamic_cast<op_t&>(h.op()).counts();
  CHECK(c.on_time == 1);
  CHECK(c.late == 1);
  CHECK(c.too_late == 1);
}

TEST_CASE("enrich: a late element whose first window is gone waits for its next window") {
  // Windows of 3 s sliding by 1 s, no lateness. At watermark 2500 the element at 500 has lost
  // its windows ending 1000 and 2000 but not the one ending 3000, which has not fired.
  harness h(make(3'000, 1'000, 0));
  h.push({1, 1, 1}, 2'200);
  h.push_watermark(2'500);
  h.push({1, 10, 2}, 500);
  CHECK(h.output().empty());
  h.push_watermark(2'999);
  REQUIRE(h.output().size() == 2);
  for (auto& r : h.output()) {
    CHECK(*r.value.aggregate == 11);
    CHECK(r.value.window == time_window{0, 3'000});
  }
  CHECK(h.output()[0].value.status == enrich_status::on_time);
  CHECK(h.output()[1].value.status == enrich_status::past_lateness);
}

TEST_CASE("enrich: restored from two instances at once, at the slower watermark") {
  // Instances 0 and 1 of 2 hold their keys' windows and waiting elements; instance 0 has seen
  // watermark 99, instance 1 only 49.
  auto owner = [](int key) { return instance_of_key_group(key_group_of(key, 128), 128, 2); };
  {
    int ones = 0;
    for (int k = 0; k < 8; ++k) ones += owner(k);
    REQUIRE((ones > 0 && ones < 8));  // keys of both instances among 0..7
  }
  std::vector<std::string> pieces;
  int id = 0;
  for (int i = 0; i < 2; ++i) {
    harness old(make(10, 10, 0), operator_info{"e", "e", i, 2, 128});
    for (timestamp t = 0; t < 150; ++t)
      for (int k = 0; k < 8; ++k)
        if (owner(k) == i) old.push({k, 1, ++id}, t);
    old.push_watermark(i == 0 ? 99 : 49);
    pieces.push_back(old.snapshot());
  }
  for (bool reversed : {false, true}) {
    CAPTURE(reversed);
    harness h(make(10, 10, 0), operator_info{"e", "e", 0, 1, 128});
    h.restore(make(10, 10, 0), reversed ? std::vector<std::string>{pieces[1], pieces[0]} : pieces);
    // At watermark 49, an element at 55 of instance 1's keys is on time for [50, 60).
    for (int k = 0; k < 8; ++k)
      if (owner(k) == 1) h.push({k, 1000, 10'000 + k}, 55);
    h.end();
    // Every element waiting in either piece comes out once, with its window's whole sum.
    std::map<int, int> seen;
    for (auto& r : h.output()) {
      const auto& e = r.value.element;
      CAPTURE(e);
      ++seen[e.id];
      CHECK(r.value.status == enrich_status::on_time);
      REQUIRE(r.value.aggregate);
      const bool extra = r.value.window == time_window{50, 60} && owner(e.key) == 1;
      CHECK(*r.value.aggregate == (extra ? 1010 : 10));
    }
    std::size_t waiting = 0;  // elements at 50.. (instance 1) or 100.. (instance 0)
    for (int k = 0; k < 8; ++k) waiting += owner(k) == 0 ? 50 : 101;
    CHECK(seen.size() == waiting);
    for (auto& [i, n] : seen) CHECK(n == 1);
  }
}

TEST_CASE("enrich: only the event-time trigger") {
  auto build = [] {
    environment env;
    auto s = env.from_collection<ev>(std::vector<ev>{{1, 1, 1}});
    s.key_by(key_of{})
        .window(tumbling_windows(1'000))
        .trigger(window_trigger::count(2))
        .enrich(agg::count<ev>());
  };
  CHECK_THROWS_AS(build(), std::invalid_argument);
}

TEST_CASE("enrich: a watermark that releases many elements is served in steps of elements") {
  // 10 keys of 30 elements each in one window: 10 results (one inner step of 16) release 300
  // elements, which come out in steps of about 16, whole keys at a time.
  auto run = [](std::size_t step) {
    auto op = make(1'000, 1'000, 0, {}, step);
    op->open({});
    operator_output out(&record_type_of<out_t>());
    std::vector<record<ev>> in;
    for (int k = 0; k < 10; ++k)
      for (int i = 0; i < 30; ++i) in.push_back({ev{k, i, k * 100 + i}, i * 10});
    batch<ev> b(std::move(in));
    op->on_batch(0, b, out);
    REQUIRE(out.records<out_t>().empty());  // every element waits for the watermark
    std::vector<std::vector<record<out_t>>> steps;
    std::vector<std::optional<timestamp>> watermarks;
    op->on_watermark(max_timestamp, out);
    for (;;) {
      steps.push_back(out.has_main() ? out.records<out_t>() : std::vector<record<out_t>>{});
      watermarks.push_back(out.watermark());
      out.clear();
      if (!op->has_pending_output()) break;
      op->resume(out);
    }
    return std::pair(steps, watermarks);
  };
  auto [whole, whole_wms] = run(1'000);
  auto [steps, wms] = run(16);
  REQUIRE(whole.size() == 1);
  REQUIRE(whole[0].size() == 300);
  CHECK(steps.size() == 10);  // each key's 30 elements fill a step of 16
  std::vector<int> a, b;
  for (auto& r : whole[0]) a.push_back(r.value.element.id);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    CHECK(steps[i].size() == 30);  // whole keys, one per step
    for (auto& r : steps[i]) b.push_back(r.value.element.id);
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(a == b);
  CHECK(wms.back() == max_timestamp);
  for (std::size_t i = 0; i + 1 < wms.size(); ++i)  // nothing goes out behind a watermark
    if (wms[i]) CHECK(*wms[i] < 999);
}

// ---------------------------------------------------------------------------------------------
// Differential test

namespace {

struct config {
  duration_ms size = 0, slide = 0, lateness = 0;
};

struct expected_out {
  int id;
  timestamp end;
  std::optional<R> agg;
  enrich_status status;
  timestamp ts;
  friend auto operator<=>(const expected_out&, const expected_out&) = default;
};

/// The reference: accepted elements in a list; each output's aggregate summed afresh.
class reference {
 public:
  explicit reference(config c) : c_(c) {}

  void element(const record<ev>& r) {
    const timestamp first = start(r.ts) + c_.slide, last = start(r.ts) + c_.size;
    if (last - 1 + c_.lateness <= wm_) {
      out_.push_back({r.value.id, first, std::nullopt, enrich_status::too_late, first - 1});
      return;
    }
    accepted_.push_back(r);
    if (first - 1 > wm_) {
      pending_.push_back({r.value.key, r.value.id, first, enrich_status::on_time});
      return;
    }
    // The first window of it that is still kept (end - 1 + lateness > wm).
    timestamp e = first;
    while (e - 1 + c_.lateness <= wm_) e += c_.slide;
    const auto status = e == first ? enrich_status::late : enrich_status::past_lateness;
    if (e - 1 > wm_)
      pending_.push_back({r.value.key, r.value.id, e, status});
    else
      out_.push_back({r.value.id, e, sum(r.value.key, e), status, e - 1});
  }

  void watermark(timestamp wm) {
    wm_ = std::max(wm_, wm);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->end - 1 <= wm_) {
        out_.push_back({it->id, it->end, sum(it->key, it->end), it->status, it->end - 1});
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }

  std::vector<expected_out> sorted() const {
    auto v = out_;
    std::sort(v.begin(), v.end());
    return v;
  }

 private:
  struct waiting {
    int key, id;
    timestamp end;
    enrich_status status;
  };
  timestamp start(timestamp t) const { return t - (((t % c_.slide) + c_.slide) % c_.slide); }
  R sum(int key, timestamp end) const {
    R s = 0;
    for (auto& a : accepted_)
      if (a.value.key == key && a.ts >= end - c_.size && a.ts < end) s += a.value.v;
    return s;
  }

  config c_;
  timestamp wm_ = min_timestamp;
  std::vector<record<ev>> accepted_;
  std::vector<waiting> pending_;
  std::vector<expected_out> out_;
};

std::uint64_t seeds() {
  const char* s = std::getenv("DATAFLOW_DIFF_SEEDS");
  if (s && *s) return std::strtoull(s, nullptr, 10);
#if defined(__SANITIZE_ADDRESS__)
  return 300;
#else
  return 3'000;
#endif
}

}  // namespace

TEST_CASE("enrich: random out-of-order streams equal the reference, with snapshots") {
  for (std::uint64_t seed = 1; seed <= seeds(); ++seed) {
    std::mt19937_64 rng(seed);
    auto pick = [&](std::int64_t lo, std::int64_t hi) {
      return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    config c;
    c.slide = pick(1, 4) * 100;
    c.size = c.slide * pick(1, 5);
    if (pick(0, 3) == 0) c.size = c.slide;  // tumbling
    c.lateness = pick(0, 2) == 0 ? 0 : pick(1, 10) * 100;
    // Half the time, watermarks fire in steps of 1 to 3 results (held-back output).
    const auto step =
        pick(0, 1) ? window_options{}.max_output_per_step : static_cast<std::size_t>(pick(1, 3));
    harness h(make(c.size, c.slide, c.lateness, {}, step));
    reference ref(c);
    const int n = static_cast<int>(pick(1, 60));
    const int keys = static_cast<int>(pick(1, 4));
    const auto restore_at = pick(0, n);  // a snapshot and restore before this element
    timestamp wm = -1'000, clock = 0;
    for (int i = 0; i < n; ++i) {
      if (i == restore_at) h.restore(make(c.size, c.slide, c.lateness, {}, step), h.snapshot());
      clock += pick(0, 150);
      record<ev> r{ev{static_cast<int>(pick(0, keys - 1)), pick(-5, 20), i},
                   clock - pick(0, 1'500)};
      h.push_batch({r});
      ref.element(r);
      if (pick(0, 2) == 0) {
        wm = std::max(wm, clock - pick(0, 1'000));
        h.push_watermark(wm);
        ref.watermark(wm);
      }
    }
    h.end();
    ref.watermark(max_timestamp);
    std::vector<expected_out> got;
    for (auto& r : h.output())
      got.push_back(
          {r.value.element.id, r.value.window.end, r.value.aggregate, r.value.status, r.ts});
    std::sort(got.begin(), got.end());
    INFO("seed := " << seed << ", size " << c.size << ", slide " << c.slide << ", lateness "
                    << c.lateness << ", output step " << step);
    REQUIRE(got.size() == static_cast<std::size_t>(n));  // exactly one output per element
    REQUIRE(got == ref.sorted());
    REQUIRE(dynamic_cast<op_t&>(h.op()).keys_with_state() == 0);
  }
}
