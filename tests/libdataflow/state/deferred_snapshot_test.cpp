// Deferred snapshots: the state frozen at a barrier and written later, on another thread, while
// the operator goes on changing it. What is written must be what snapshot() wrote at the
// barrier, for the keyed state store (every kind of state, heap values shared copy-on-write)
// and for each operator that freezes its state (windows, enrichment, joins, process functions).
#include "dataflow/state/deferred_snapshot.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../../keyed_value.hpp"
#include "dataflow/api/data_stream.hpp"
#include "dataflow/join/interval_join_operator.hpp"
#include "dataflow/state/keyed_state_store.hpp"
#include "dataflow/testing/operator_harness.hpp"
#include "dataflow/window/window_operator_factory.hpp"
#include "sum_of_ints.hpp"

using namespace dataflow;

namespace {

using sum_fn = testing::sum_of_ints;

/// A store with every kind of state, filled for keys k0 .. k<n-1>.
struct filled_store {
  explicit filled_store(int n) {
    for (int i = 0; i < n; ++i) {
      store.set_current_key("k" + std::to_string(i));
      count.update(i);
      seen.add(i);
      seen.add(-i);
      last.put("x", i);
      total.add(i);
    }
  }
  /// Changes every key's state in each way there is, and adds keys.
  void change_everything(int n) {
    for (int i = 0; i < n; ++i) {
      store.set_current_key("k" + std::to_string(i));
      if (i % 3 == 0) count.update(-1);
      if (i % 3 == 1) *count.get_mutable() += 100;
      if (i % 3 == 2) count.clear();
      seen.add(7);
      if (i % 2 == 0)
        last.put("y", 1);
      else
        last.remove("x");
      total.add(1000);
    }
    for (int i = n; i < 2 * n; ++i) {
      store.set_current_key("k" + std::to_string(i));
      count.update(i);
    }
  }
  std::string snapshot() const {
    std::string bytes;
    REQUIRE(store.snapshot(bytes));
    return bytes;
  }

  keyed_state_store<std::string> store;
  value_state<long>& count = store.value<long>("count");
  list_state<int>& seen = store.list<int>("seen");
  map_state<std::string, int>& last = store.map<std::string, int>("last");
  aggregating_state<int, long>& total =
      store.aggregating("total", std::make_shared<const sum_fn>());
};

std::string written(deferred_snapshot& frozen) {
  std::string bytes;
  REQUIRE(frozen(bytes));
  return bytes;
}

deferred_snapshot frozen_store(const keyed_state_store<std::string>& store) {
  auto frozen = store.freeze();
  REQUIRE(frozen);
  return std::move(*frozen);
}

}  // namespace

TEST_CASE("a frozen store writes its state as of the freeze, however it changes after") {
  filled_store s(200);
  const std::string at_freeze = s.snapshot();
  auto frozen = frozen_store(s.store);
  s.change_everything(200);
  const std::string changed = s.snapshot();
  CHECK(changed != at_freeze);
  CHECK(written(frozen) == at_freeze);
  CHECK(s.snapshot() == changed);  // writing did not touch the live state

  // The written bytes restore to the state at the freeze.
  filled_store restored(0);
  REQUIRE(restored.store.restore(at_freeze));
  restored.store.set_current_key("k4");
  CHECK(restored.count.value_or(0) == 4);
  CHECK(*restored.seen.get() == std::vector<int>{4, -4});
}

TEST_CASE("a value is copied once after a freeze, and not at all once the snapshot is written") {
  filled_store s(3);
  s.store.set_current_key("k1");
  long* before = s.count.get_mutable();
  s.store.set_current_key("k2");
  long* untouched = s.count.get_mutable();
  auto frozen = frozen_store(s.store);

  s.store.set_current_key("k1");
  CHECK(s.count.get() == before);  // reading shares the value
  long* copy = s.count.get_mutable();
  CHECK(copy != before);  // changing it copies it
  *copy = 41;
  s.store.set_current_key("k0");
  s.store.set_current_key("k1");
  CHECK(s.count.get_mutable() == copy);  // once
  CHECK(*copy == 41);

  const std::string bytes = written(frozen);
  frozen = nullptr;
  s.store.set_current_key("k2");
  CHECK(s.count.get_mutable() == untouched);  // released: changed in place again

  filled_store restored(0);
  REQUIRE(restored.store.restore(bytes));
  restored.store.set_current_key("k1");
  CHECK(restored.count.value_or(0) == 1);
}

TEST_CASE("a deferred snapshot outlives its store") {
  std::string expected;
  deferred_snapshot frozen;
  {
    filled_store s(50);
    expected = s.snapshot();
    frozen = frozen_store(s.store);
    s.change_everything(50);
  }
  CHECK(written(frozen) == expected);
}

TEST_CASE("the state writer's thread writes while the operator changes every key") {
  filled_store s(5000);
  const std::string expected = s.snapshot();
  auto frozen = frozen_store(s.store);
  std::string bytes;
  status result;
  std::thread writer([&] { result = frozen(bytes); });
  for (int round = 0; round < 3; ++round) s.change_everything(5000);
  writer.join();
  REQUIRE(result);
  CHECK(bytes == expected);
}

// Operators: random out-of-order streams; a snapshot and a frozen one taken at the same point,
// the rest of the stream pushed, then the frozen one written.

namespace {

using ev = testing::keyed_value;
struct key_of {
  int operator()(const ev& e) const noexcept { return e.key; }
};
struct value_of {
  std::int64_t operator()(const ev& e) const noexcept { return e.v; }
};

/// Pushes a random stream through `h` (push(h, element, ts) for each), freezes the operator
/// midway, and checks that what the frozen snapshot writes at the end equals snapshot() then.
template <class H, class Push>
void check_frozen_midway(H& h, Push push, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const int n = 600;
  const int at = n / 4 + static_cast<int>(rng() % (n / 2));
  std::string expected;
  deferred_snapshot frozen;
  timestamp wm = min_timestamp;
  for (int i = 0; i < n; ++i) {
    if (i == at) {
      expected = h.snapshot();
      frozen = h.snapshot_deferred();
    }
    const ev e{static_cast<int>(rng() % 8), static_cast<std::int64_t>(rng() % 5)};
    push(h, e, i + static_cast<timestamp>(rng() % 30) - 15);
    if (rng() % 8 == 0) {
      wm = std::max<timestamp>(wm, i - 20);
      h.push_watermark(wm);
    }
  }
  CHECK(h.snapshot() != expected);
  h.end();
  CHECK(written(frozen) == expected);
}

template <class H>
void push_left(H& h, const ev& e, timestamp ts) {
  h.push(e, ts);
}
template <class H>
void push_both(H& h, const ev& e, timestamp ts) {
  if (e.v % 2 == 0)
    h.push(e, ts);
  else
    h.push_second(e, ts);
}

struct running_sum final : keyed_process_function<int, ev, std::int64_t> {
  void process_element(const ev& e, context& ctx) override {
    auto& sum = ctx.state().value<std::int64_t>("sum");
    sum.update(sum.value_or(0) + e.v);
    ctx.state().list<std::int64_t>("values").add(e.v);
    ctx.register_event_time_timer(ctx.ts() + 10);
  }
  void on_timer(timestamp, time_domain, context& ctx) override {
    ctx.output(ctx.state().value<std::int64_t>("sum").value_or(0));
    ctx.state().list<std::int64_t>("values").clear();
  }
};

}  // namespace

TEST_CASE("frozen operator snapshots equal their snapshot at the barrier") {
  for (std::uint32_t seed = 1; seed <= 10; ++seed) {
    CAPTURE(seed);
    SUBCASE("sliding count-distinct window") {
      window_options o;
      o.allowed_lateness = 10;
      auto a = agg::count_distinct(&ev::v);
      testing::operator_harness<ev, window_result<int, decltype(a)::result_type>> h(
          make_window_aggregate<ev>(key_of{}, sliding_windows(40, 10), a, o));
      check_frozen_midway(h, push_left<decltype(h)>, seed);
    }
    SUBCASE("enrichment") {
      window_options o;
      o.allowed_lateness = 10;
      auto a = agg::sum<ev>(value_of{});
      using out_t = enriched<ev, decltype(a)::result_type>;
      using op_t = enrich_operator<int, ev, decltype(a), out_t, key_of, detail::make_enriched>;
      testing::operator_harness<ev, out_t> h(
          std::make_unique<op_t>(key_of{}, a, detail::make_enriched{}, sliced_geometry{40, 10, 0},
                                 o, slice_strategy_for(a)));
      check_frozen_midway(h, push_left<decltype(h)>, seed);
    }
    SUBCASE("interval join") {
      struct pair_up {
        std::int64_t operator()(const ev& l, const ev& r) const { return l.v * 10 + r.v; }
      };
      using op_t = interval_join_operator<int, ev, ev, std::int64_t, key_of, key_of, pair_up>;
      interval_join_options o;
      o.bounds = {-5, 5, true, true};
      testing::operator_harness<ev, std::int64_t, ev> h(
          std::make_unique<op_t>(key_of{}, key_of{}, pair_up{}, o));
      check_frozen_midway(h, push_both<decltype(h)>, seed);
    }
    SUBCASE("keyed process function") {
      testing::operator_harness<ev, std::int64_t> h(
          testing::make_keyed_process<int, ev, std::int64_t>(key_of{}, running_sum{}));
      check_frozen_midway(h, push_left<decltype(h)>, seed);
    }
  }
}
