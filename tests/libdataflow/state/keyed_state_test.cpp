#include "dataflow/state/keyed_state_store.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "dataflow/state/timer_service.hpp"
#include "sum_of_ints.hpp"

using namespace dataflow;

namespace {
using sum_fn = testing::sum_of_ints;
}  // namespace

TEST_CASE("state is scoped to the current key") {
  keyed_state_store<std::string> store;
  auto& count = store.value<long>("count");
  auto& seen = store.list<int>("seen");
  auto& last = store.map<std::string, int>("last");
  auto& total = store.aggregating("total", std::make_shared<const sum_fn>());

  store.set_current_key("a");
  CHECK(count.get() == nullptr);
  count.update(1);
  seen.add(1);
  seen.add(2);
  last.put("x", 5);
  total.add(3);
  total.add(4);
  store.set_current_key("b");
  CHECK_FALSE(count.value());
  CHECK(seen.get() == nullptr);
  CHECK(last.is_empty());
  CHECK_FALSE(total.get());
  count.update(10);
  store.set_current_key("a");
  CHECK(count.value_or(0) == 1);
  CHECK(*seen.get() == std::vector<int>{1, 2});
  CHECK(*last.get("x") == 5);
  CHECK(*total.get() == 7);
  count.clear();
  CHECK(count.get() == nullptr);
  last.remove("x");
  CHECK(last.is_empty());
  CHECK(store.entries() == 3);  // b.count, a.seen and a.total remain
}

TEST_CASE("the same name with another type is a programming error") {
  keyed_state_store<int> store;
  store.value<long>("s");
  CHECK_THROWS_AS(store.list<long>("s"), std::logic_error);
}

TEST_CASE("snapshot and restore keep exactly the key groups an instance owns") {
  operator_info whole{"op", "op", 0, 1, 128};
  keyed_state_store<int> store(whole);
  auto& v = store.value<int>("v");
  for (int k = 0; k < 1000; ++k) {
    store.set_current_key(k);
    v.update(k * 2);
  }
  std::string bytes;
  REQUIRE(store.snapshot(bytes));

  std::size_t restored = 0;
  for (int i = 0; i < 3; ++i) {
    keyed_state_store<int> part(operator_info{"op", "op", i, 3, 128});
    auto& pv = part.value<int>("v");
    REQUIRE(part.restore(bytes));
    part.for_each_key("v", [&](const int& k) {
      CHECK(instance_of_key_group(key_group_of(k, 128), 128, 3) == i);
      ++restored;
    });
    part.set_current_key(0);
    if (instance_of_key_group(key_group_of(0, 128), 128, 3) == i) CHECK(pv.value_or(-1) == 0);
  }
  CHECK(restored == 1000);
}

TEST_CASE("restoring the pieces of several old instances adds them all up, also undeclared") {
  // Two instances (parallelism 2) each hold their keys' states.
  std::string pieces[2];
  for (int i = 0; i < 2; ++i) {
    keyed_state_store<int> old(operator_info{"op", "op", i, 2, 128});
    auto& count = old.value<long>("count");
    auto& seen = old.list<int>("seen");
    for (int k = 0; k < 200; ++k) {
      if (instance_of_key_group(key_group_of(k, 128), 128, 2) != i) continue;
      old.set_current_key(k);
      count.update(k * 10);
      seen.add(k);
      seen.add(-k);
    }
    REQUIRE(old.snapshot(pieces[i]));
  }
  // One instance (parallelism 1) and, the other way, instance 1 of 3 get both pieces. "count"
  // is declared before the restore, "seen" only after it (as a keyed process function does on
  // first use): both get every piece's keys, and only those of the key groups they own.
  for (auto instance : {std::pair{0, 1}, std::pair{1, 3}}) {
    const int subtask = instance.first, parallelism = instance.second;
    CAPTURE(parallelism);
    keyed_state_store<int> store(operator_info{"op", "op", subtask, parallelism, 128});
    auto& count = store.value<long>("count");
    REQUIRE(store.restore(pieces[0]));
    REQUIRE(store.restore(pieces[1]));
    auto& seen = store.list<int>("seen");
    const auto owned = key_group_range_of(subtask, parallelism, 128);
    int expected = 0;
    for (int k = 0; k < 200; ++k) {
      CAPTURE(k);
      store.set_current_key(k);
      if (!owned.contains(key_group_of(k, 128))) {
        CHECK(count.get() == nullptr);
        CHECK(seen.get() == nullptr);
        continue;
      }
      ++expected;
      CHECK(count.value_or(-1) == k * 10);
      REQUIRE(seen.get() != nullptr);
      CHECK(*seen.get() == std::vector<int>{k, -k});
    }
    CHECK(expected > 0);
    CHECK(store.entries() == 2 * static_cast<std::size_t>(expected));
  }
}

TEST_CASE("a snapshot of another format version is rejected with a clear error") {
  keyed_state_store<int> store;
  std::string bytes;
  REQUIRE(store.snapshot(bytes));
  bytes[0] = 9;  // the version is the first field
  auto s = store.restore(bytes);
  CHECK(s.code() == errc::decode_failed);
  CHECK(s.message().find("version") != std::string::npos);
  CHECK(store.restore("garbage").code() == errc::decode_failed);
}

TEST_CASE("timers fire in time order, once per key and time") {
  timer_service<std::string> t;
  t.register_timer(time_domain::event_time, "b", 20);
  t.register_timer(time_domain::event_time, "a", 10);
  t.register_timer(time_domain::event_time, "a", 10);  // deduplicated
  t.register_timer(time_domain::event_time, "c", 30);
  t.register_timer(time_domain::processing_time, "p", 5);
  std::vector<std::pair<timestamp, std::string>> fired;
  t.advance(time_domain::event_time, 25, [&](timestamp ts, const std::string& k) {
    fired.emplace_back(ts, k);
    if (k == "a") t.register_timer(time_domain::event_time, "late", 15);  // due: fires now
  });
  CHECK(fired ==
        std::vector<std::pair<timestamp, std::string>>{{10, "a"}, {15, "late"}, {20, "b"}});
  CHECK(*t.next(time_domain::event_time) == 30);
  CHECK(*t.next(time_domain::processing_time) == 5);
  std::string bytes;
  REQUIRE(t.snapshot(bytes));
  timer_service<std::string> r;
  REQUIRE(r.restore(bytes));
  CHECK(r.size() == 2);
}

TEST_CASE("timers restored from several instances' snapshots: all of them, only keys owned") {
  // Instances 0 and 1 of 2 each set timers for their own keys, in both domains.
  std::string pieces[2];
  for (int i = 0; i < 2; ++i) {
    timer_service<int> old;
    for (int k = 0; k < 100; ++k)
      if (instance_of_key_group(key_group_of(k, 128), 128, 2) == i) {
        old.register_timer(time_domain::event_time, k, 1000 + k);
        old.register_timer(time_domain::processing_time, k, 5000 + k);
      }
    REQUIRE(old.snapshot(pieces[i]));
  }
  // Restored at parallelism 1, and into instance 2 of 3, which owns a third of the key groups
  // (given both pieces here, to show that a piece's other keys are left out).
  for (auto instance : {std::pair{0, 1}, std::pair{2, 3}}) {
    const int subtask = instance.first, parallelism = instance.second;
    CAPTURE(parallelism);
    const auto owned = key_group_range_of(subtask, parallelism, 128);
    timer_service<int> t;
    for (auto& p : pieces) REQUIRE(t.restore(p, owned, 128));
    std::vector<int> fired, expected;
    for (int k = 0; k < 100; ++k)
      if (owned.contains(key_group_of(k, 128))) expected.push_back(k);
    t.advance(time_domain::event_time, max_timestamp, [&](timestamp ts, const int& k) {
      CHECK(ts == 1000 + k);
      fired.push_back(k);
    });
    CHECK(fired == expected);
    fired.clear();
    t.advance(time_domain::processing_time, max_timestamp,
              [&](timestamp, const int& k) { fired.push_back(k); });
    CHECK(fired == expected);
    CHECK(t.size() == 0);
  }
  timer_service<int> bad;
  CHECK(bad.restore("garbage", {0, 127}, 128).code() == errc::decode_failed);
}

TEST_CASE("a store's snapshot, written in place, is the envelope of (state name, rows) pairs") {
  keyed_state_store<int> store(operator_info{"op", "op", 0, 1, 128});
  auto& v = store.value<long>("v");
  auto& w = store.value<int>("w");
  for (int k = 0; k < 50; ++k) {
    store.set_current_key(k);
    v.update(k * 3L);
    if (k % 2 == 0) w.update(-k);
  }
  std::string bytes = "left over from before";
  REQUIRE(store.snapshot(bytes));
  // Decoded the way the store wrote it before it wrote in place: a vector of named parts.
  std::vector<std::pair<std::string, std::string>> parts;
  REQUIRE(read_versioned_snapshot(bytes, keyed_state_store<int>::snapshot_version, "store", parts));
  REQUIRE(parts.size() == 2);
  std::map<std::string, std::size_t> rows;
  for (auto& [name, state] : parts) {
    std::vector<std::pair<std::int32_t, std::pair<int, long>>> decoded;
    if (name == "v") {
      detail::read_cereal(state, decoded);
    } else {
      std::vector<std::pair<std::int32_t, std::pair<int, int>>> ints;
      detail::read_cereal(state, ints);
      for (auto& [g, kv] : ints) decoded.push_back({g, {kv.first, kv.second}});
    }
    rows[name] = decoded.size();
    for (auto& [g, kv] : decoded) {
      CHECK(g == key_group_of(kv.first, 128));
      CHECK(kv.second == (name == "v" ? kv.first * 3L : -kv.first));
    }
  }
  CHECK(rows == std::map<std::string, std::size_t>{{"v", 50}, {"w", 25}});
}
