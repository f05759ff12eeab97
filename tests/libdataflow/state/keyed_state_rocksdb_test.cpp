// keyed_state_store on RocksDB byte tables against the same store on the heap: randomized
// sequences of operations must give the same results, through cache evictions, native
// checkpoints and snapshots moved between backends.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "../io/temp_dir.hpp"
#include "dataflow/core/zipf_sampler.hpp"
#include "dataflow/state/keyed_state_store.hpp"
#include "dataflow/state/rocksdb_state_backend.hpp"
#include "sum_of_ints.hpp"

using namespace dataflow;
using dataflow::testing::temp_dir;

namespace {

using sum_fn = testing::sum_of_ints;

std::shared_ptr<rocksdb_state_backend> open_backend(const std::string& dir,
                                                    std::size_t cache_entries) {
  rocksdb_options o;
  o.state_cache_entries = cache_entries;
  o.block_cache_bytes = 8 << 20;
  o.write_buffer_bytes = 8 << 20;
  auto b = rocksdb_state_backend::open(dir, o);
  REQUIRE_MESSAGE(b, (b ? "" : b.error().to_string()));
  return *b;
}

operator_context context_of(state_backend* backend, int subtask = 0, int parallelism = 1) {
  operator_context ctx;
  ctx.info = operator_info{"counts", "counts", subtask, parallelism, 128};
  ctx.backend = backend;
  return ctx;
}

/// The four kinds of state of one store.
struct states {
  keyed_state_store<int>& store;
  value_state<long>& value;
  list_state<int>& list;
  map_state<int, std::string>& map;
  aggregating_state<int, long>& agg;

  explicit states(keyed_state_store<int>& s)
      : store(s),
        value(s.value<long>("value")),
        list(s.list<int>("list")),
        map(s.map<int, std::string>("map")),
        agg(s.aggregating("agg", std::make_shared<const sum_fn>())) {}
};

std::optional<long> value_of(states& s) {
  return s.value.value();
}
std::optional<std::vector<int>> list_of(states& s) {
  auto* l = s.list.get();
  return l ? std::optional<std::vector<int>>(*l) : std::nullopt;
}
std::map<int, std::string> map_of(states& s) {
  std::map<int, std::string> out;
  s.map.for_each([&](const int& k, const std::string& v) { out.emplace(k, v); });
  return out;
}

/// Everything every key in [0, keys) holds, read through the state handles.
struct view {
  std::map<int, long> values;
  std::map<int, std::vector<int>> lists;
  std::map<int, std::map<int, std::string>> maps;
  std::map<int, long> aggs;
  bool operator==(const view&) const = default;
};

view view_of(states& s, int keys, key_group_range owned = {0, 127}) {
  view v;
  for (int k = 0; k < keys; ++k) {
    if (!owned.contains(key_group_of(k, 128))) continue;
    s.store.set_current_key(k);
    if (auto x = value_of(s)) v.values[k] = *x;
    if (auto l = list_of(s)) v.lists[k] = *l;
    if (!s.map.is_empty()) v.maps[k] = map_of(s);
    if (auto a = s.agg.get()) v.aggs[k] = *a;
  }
  return v;
}

std::set<int> keys_of(keyed_state_store<int>& store, const std::string& state) {
  std::set<int> out;
  store.for_each_key(state, [&](const int& k) { out.insert(k); });
  return out;
}

/// One random operation applied to both stores; results compared.
void step(states& mem, states& db, splitmix64& rng, const zipf_sampler& keys) {
  int key = static_cast<int>(keys(rng)) - 1;
  int arg = static_cast<int>(rng() % 100);
  int uk = static_cast<int>(rng() % 8);
  mem.store.set_current_key(key);
  db.store.set_current_key(key);
  switch (rng() % 22) {
    case 0:
    case 1:
      CHECK(value_of(mem) == value_of(db));
      break;
    case 2:
      mem.value.update(arg);
      db.value.update(arg);
      break;
    case 3:
      mem.value.clear();
      db.value.clear();
      break;
    case 4: {  // changed in place
      auto* a = mem.value.get_mutable();
      auto* b = db.value.get_mutable();
      REQUIRE((a == nullptr) == (b == nullptr));
      if (a) *a += arg, *b += arg;
      break;
    }
    case 5:
    case 6:
      mem.value.get_or_create() += arg;
      db.value.get_or_create() += arg;
      break;
    case 7:
      CHECK(list_of(mem) == list_of(db));
      break;
    case 8:
    case 9:
      mem.list.add(arg);
      db.list.add(arg);
      break;
    case 10: {
      std::vector<int> l(static_cast<std::size_t>(arg % 3), arg);  // sometimes empty
      mem.list.update(l);
      db.list.update(l);
      break;
    }
    case 11:
      mem.list.clear();
      db.list.clear();
      break;
    case 12: {
      auto* a = mem.map.get(uk);
      auto* b = db.map.get(uk);
      REQUIRE((a == nullptr) == (b == nullptr));
      if (a) CHECK(*a == *b);
      CHECK(mem.map.contains(uk) == db.map.contains(uk));
      break;
    }
    case 13:
    case 14:
      mem.map.put(uk, std::to_string(arg));
      db.map.put(uk, std::to_string(arg));
      break;
    case 15:
      mem.map.remove(uk);
      db.map.remove(uk);
      break;
    case 16:
      CHECK(map_of(mem) == map_of(db));
      CHECK(mem.map.is_empty() == db.map.is_empty());
      break;
    case 17:
      if (arg < 20) {
        mem.map.clear();
        db.map.clear();
      }
      break;
    case 18:
    case 19:
      mem.agg.add(arg);
      db.agg.add(arg);
      break;
    case 20:
      CHECK(mem.agg.get() == db.agg.get());
      break;
    case 21:
      if (arg < 10) {
        mem.agg.clear();
        db.agg.clear();
      }
      break;
  }
}

/// Counts the calls that reach the tables of a RocksDB backend.
struct call_counts {
  int get = 0, multi_get = 0, write = 0, other = 0;
};

class counting_table final : public kv_table {
 public:
  counting_table(std::unique_ptr<kv_table> inner, call_counts* counts)
      : inner_(std::move(inner)), counts_(counts) {}
  status put(std::string_view k, std::string_view v) override {
    ++counts_->other;
    return inner_->put(k, v);
  }
  expected<bool> get(std::string_view k, std::string& v) override {
    ++counts_->get;
    return inner_->get(k, v);
  }
  status remove(std::string_view k) override {
    ++counts_->other;
    return inner_->remove(k);
  }
  status write(const kv_write_batch& b) override {
    ++counts_->write;
    return inner_->write(b);
  }
  status multi_get(std::span<const std::string_view> keys,
                   std::vector<std::optional<std::string>>& values) override {
    ++counts_->multi_get;
    return inner_->multi_get(keys, values);
  }
  status scan(key_group_range groups, const entry_fn& fn) override {
    ++counts_->other;
    return inner_->scan(groups, fn);
  }
  status scan_prefix(std::string_view prefix, const entry_fn& fn) override {
    ++counts_->other;
    return inner_->scan_prefix(prefix, fn);
  }
  status remove_key_groups(key_group_range groups) override {
    ++counts_->other;
    return inner_->remove_key_groups(groups);
  }

 private:
  std::unique_ptr<kv_table> inner_;
  call_counts* counts_;
};

class counting_backend final : public state_backend {
 public:
  explicit counting_backend(std::shared_ptr<rocksdb_state_backend> inner)
      : inner_(std::move(inner)) {}
  std::string_view name() const noexcept override { return "counting"; }
  bool keeps_objects() const noexcept override { return false; }
  expected<std::unique_ptr<kv_table>> open_table(std::string_view uid, int subtask,
                                                 std::string_view state) override {
    auto t = inner_->open_table(uid, subtask, state);
    if (!t) return t.error();
    return std::unique_ptr<kv_table>(std::make_unique<counting_table>(std::move(*t), &counts));
  }
  std::size_t state_cache_entries() const noexcept override {
    return inner_->state_cache_entries();
  }
  call_counts counts;

 private:
  std::shared_ptr<rocksdb_state_backend> inner_;
};

constexpr int key_count = 300;

}  // namespace

TEST_CASE("rocksdb keyed state: random operations give the same results as on the heap") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    // A cache of 16 keys for 300 keys: most operations miss, and eviction runs all the time.
    temp_dir dir;
    auto backend = open_backend(dir / "db", 16);
    keyed_state_store<int> mem_store;
    keyed_state_store<int> db_store;
    REQUIRE(db_store.open(context_of(backend.get())));
    CHECK(db_store.uses_tables());
    states mem(mem_store), db(db_store);

    splitmix64 rng(seed);
    zipf_sampler keys(key_count, 0.8);
    for (int i = 0; i < 4000; ++i) step(mem, db, rng, keys);

    CHECK(view_of(mem, key_count) == view_of(db, key_count));
    for (auto* name : {"value", "list", "map", "agg"}) {
      CAPTURE(name);
      CHECK(keys_of(mem_store, name) == keys_of(db_store, name));
    }
    CHECK(mem_store.entries() == db_store.entries());
  }
}

TEST_CASE("rocksdb keyed state: a large cache gives the same results and rarely touches RocksDB") {
  temp_dir dir;
  auto backend = open_backend(dir / "db", 100000);
  keyed_state_store<int> mem_store;
  keyed_state_store<int> db_store;
  REQUIRE(db_store.open(context_of(backend.get())));
  states mem(mem_store), db(db_store);
  splitmix64 rng(7);
  zipf_sampler keys(key_count, 1.1);
  for (int i = 0; i < 3000; ++i) step(mem, db, rng, keys);
  CHECK(view_of(mem, key_count) == view_of(db, key_count));
  // Nothing was written back yet: with every key cached, the tables are still empty.
  int stored = 0;
  auto table = backend->open_table("counts", 0, "value");
  REQUIRE(table);
  REQUIRE((*table)->scan({0, 127}, [&](std::string_view, std::string_view) {
    ++stored;
    return true;
  }));
  CHECK(stored == 0);
  REQUIRE(db_store.flush());
  REQUIRE((*table)->scan({0, 127}, [&](std::string_view, std::string_view) {
    ++stored;
    return true;
  }));
  CHECK(stored == static_cast<int>(keys_of(mem_store, "value").size()));
}

TEST_CASE("rocksdb keyed state: a hot key reads RocksDB once and is written once per flush") {
  temp_dir dir;
  counting_backend backend(open_backend(dir / "db", 1000));
  keyed_state_store<int> store;
  REQUIRE(store.open(context_of(&backend)));
  auto& count = store.value<long>("count");

  for (int i = 0; i < 10000; ++i) {  // one element at a time, as an operator sees them
    store.set_current_key(1);
    count.get_or_create() += 1;
  }
  CHECK(backend.counts.get == 1);  // the first touch; everything else hits the cache
  CHECK(backend.counts.write == 0);
  REQUIRE(store.flush());
  CHECK(backend.counts.write == 1);  // one batch
  REQUIRE(store.flush());
  CHECK(backend.counts.write == 1);  // nothing dirty: nothing written

  // The cache holds 1000 keys: 3000 other keys push key 1 out, in batched write-backs.
  for (int k = 2; k < 3002; ++k) {
    store.set_current_key(k);
    count.get_or_create() += 1;
  }
  CHECK(backend.counts.get == 3001);
  CHECK(backend.counts.write > 1);
  CHECK(backend.counts.write < 10);  // each eviction writes its dirty victims in one batch
  const int reads = backend.counts.get;
  store.set_current_key(1);
  CHECK(count.value_or(0) == 10000);
  CHECK(backend.counts.get == reads + 1);  // evicted, so read again
}

TEST_CASE("rocksdb keyed state: a native checkpoint restores into a new database and store") {
  for (std::uint64_t seed : {11u, 12u}) {
    CAPTURE(seed);
    temp_dir dir;
    auto backend = open_backend(dir / "db", 32);
    keyed_state_store<int> mem_store;
    states mem(mem_store);
    splitmix64 rng(seed);
    zipf_sampler keys(key_count, 0.8);
    {
      keyed_state_store<int> db_store;
      REQUIRE(db_store.open(context_of(backend.get())));
      states db(db_store);
      for (int i = 0; i < 2000; ++i) step(mem, db, rng, keys);
      REQUIRE(db_store.flush());  // the cache's changes go to RocksDB before the checkpoint
      REQUIRE(backend->create_checkpoint(dir / "cp"));
      // Changes after the checkpoint are lost with this store.
      db_store.set_current_key(0);
      db.value.update(-1);
      REQUIRE(db_store.flush());
    }

    // A new process: a fresh database, everything restored, a new store on it.
    auto fresh = open_backend(dir / "fresh", 32);
    auto stats = fresh->restore_from_checkpoint(dir / "cp", {0, 127});
    REQUIRE_MESSAGE(stats, (stats ? "" : stats.error().to_string()));
    CHECK(stats->imported_column_families == 4);
    keyed_state_store<int> db_store;
    REQUIRE(db_store.open(context_of(fresh.get())));
    states db(db_store);
    CHECK(view_of(mem, key_count) == view_of(db, key_count));
    for (int i = 0; i < 2000; ++i) step(mem, db, rng, keys);
    CHECK(view_of(mem, key_count) == view_of(db, key_count));

    // At parallelism 2, each instance restores its half and holds exactly its keys.
    REQUIRE(db_store.flush());
    REQUIRE(fresh->create_checkpoint(dir / "cp2"));
    for (int i = 0; i < 2; ++i) {
      auto range = key_group_range_of(i, 2, 128);
      auto part_db = open_backend(dir / ("part" + std::to_string(i)), 32);
      auto part_stats = part_db->restore_from_checkpoint(dir / "cp2", range);
      REQUIRE(part_stats);
      CHECK(part_stats->copied_column_families == 4);
      keyed_state_store<int> part_store;
      REQUIRE(part_store.open(context_of(part_db.get(), i, 2)));
      states part(part_store);
      CHECK(view_of(mem, key_count, range) == view_of(part, key_count, range));
      for (int k : keys_of(part_store, "value")) CHECK(range.contains(key_group_of(k, 128)));
    }
  }
}

TEST_CASE("rocksdb keyed state: snapshots move between the heap and RocksDB both ways") {
  temp_dir dir;
  auto backend = open_backend(dir / "db", 16);
  keyed_state_store<int> mem_store;
  keyed_state_store<int> db_store;
  REQUIRE(db_store.open(context_of(backend.get())));
  states mem(mem_store), db(db_store);
  splitmix64 rng(21);
  zipf_sampler keys(key_count, 0.8);
  for (int i = 0; i < 3000; ++i) step(mem, db, rng, keys);
  auto expected = view_of(mem, key_count);

  // Memory → RocksDB.
  std::string from_memory;
  REQUIRE(mem_store.snapshot(from_memory));
  auto other = open_backend(dir / "other", 16);
  keyed_state_store<int> into_db;
  REQUIRE(into_db.open(context_of(other.get())));
  REQUIRE(into_db.restore(from_memory));
  states restored_db(into_db);  // declared after restore: the pending parts apply now
  CHECK(view_of(restored_db, key_count) == expected);

  // RocksDB → memory, from the store that ran the operations (its cache partly dirty).
  std::string from_db;
  REQUIRE(db_store.snapshot(from_db));
  keyed_state_store<int> into_mem;
  states restored_mem(into_mem);
  REQUIRE(into_mem.restore(from_db));
  CHECK(view_of(restored_mem, key_count) == expected);

  // And into instance 1 of 3 on RocksDB: only its key groups.
  auto third = open_backend(dir / "third", 16);
  keyed_state_store<int> part;
  REQUIRE(part.open(context_of(third.get(), 1, 3)));
  states restored_part(part);
  REQUIRE(part.restore(from_db));
  auto range = key_group_range_of(1, 3, 128);
  CHECK(view_of(restored_part, key_count, range) == view_of(mem, key_count, range));
  for (int k : keys_of(part, "map")) CHECK(range.contains(key_group_of(k, 128)));
}

TEST_CASE("rocksdb keyed state: two instances' snapshots restore into one, declared after") {
  temp_dir dir;
  auto backend = open_backend(dir / "db", 16);
  keyed_state_store<int> whole_store;
  keyed_state_store<int> db_store;
  REQUIRE(db_store.open(context_of(backend.get())));
  states whole(whole_store), db(db_store);
  splitmix64 rng(31);
  zipf_sampler keys(key_count, 0.8);
  for (int i = 0; i < 3000; ++i) step(whole, db, rng, keys);
  std::string bytes;
  REQUIRE(whole_store.snapshot(bytes));

  // The snapshots of instances 0 and 1 of 2 (on RocksDB), each holding its key groups.
  std::string pieces[2];
  for (int i = 0; i < 2; ++i) {
    auto part_db = open_backend(dir / ("part" + std::to_string(i)), 16);
    keyed_state_store<int> part;
    REQUIRE(part.open(context_of(part_db.get(), i, 2)));
    states declared(part);
    REQUIRE(part.restore(bytes));
    REQUIRE(part.snapshot(pieces[i]));
  }
  // Both restored into one instance before any state is declared: all keys come back.
  auto one_db = open_backend(dir / "one", 16);
  keyed_state_store<int> one;
  REQUIRE(one.open(context_of(one_db.get())));
  REQUIRE(one.restore(pieces[0]));
  REQUIRE(one.restore(pieces[1]));
  states restored(one);
  CHECK(view_of(restored, key_count) == view_of(whole, key_count));
}

TEST_CASE("rocksdb keyed state: opening chooses where states live") {
  temp_dir dir;
  auto backend = open_backend(dir / "db", 16);
  auto memory = make_memory_state_backend();

  keyed_state_store<int> on_heap;
  REQUIRE(on_heap.open(context_of(memory.get())));
  CHECK_FALSE(on_heap.uses_tables());

  keyed_state_store<int> late;
  late.value<long>("v");
  auto s = late.open(context_of(backend.get()));
  CHECK(s.code() == errc::invalid_configuration);

  // Declaring a name again returns the same state; another type is still an error.
  keyed_state_store<int> store;
  REQUIRE(store.open(context_of(backend.get())));
  auto& v = store.value<long>("v");
  CHECK(&store.value<long>("v") == &v);
  CHECK_THROWS_AS(store.list<long>("v"), std::logic_error);

  // Pointers into the current key's state survive evictions caused by other states' misses.
  store.set_current_key(1);
  auto& m = store.map<int, int>("m");
  auto& p = v.get_or_create();
  p = 5;
  for (int uk = 0; uk < 100; ++uk) m.put(uk, uk);
  for (int uk = 0; uk < 100; ++uk) REQUIRE(*m.get(uk) == uk);
  CHECK(v.value_or(0) == 5);
  for (int k = 2; k < 200; ++k) {  // far more keys than the cache holds
    store.set_current_key(k);
    v.update(k);
  }
  store.set_current_key(1);
  CHECK(v.value_or(0) == 5);
  CHECK(*m.get(99) == 99);
}
