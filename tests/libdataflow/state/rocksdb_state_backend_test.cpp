#include "dataflow/state/rocksdb_state_backend.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../io/temp_dir.hpp"

using namespace dataflow;
using dataflow::testing::temp_dir;

namespace {

std::shared_ptr<rocksdb_state_backend> open_backend(const std::string& dir) {
  auto b = rocksdb_state_backend::open(dir);
  REQUIRE_MESSAGE(b, (b ? "" : b.error().to_string()));
  return *b;
}

std::unique_ptr<kv_table> open_table(rocksdb_state_backend& b, std::string_view uid,
                                     std::string_view state, int subtask = 0) {
  auto t = b.open_table(uid, subtask, state);
  REQUIRE_MESSAGE(t, (t ? "" : t.error().to_string()));
  return std::move(*t);
}

std::string key(int group, std::string_view rest) {
  std::string k;
  append_key_group(k, group);
  k += rest;
  return k;
}

std::map<std::string, std::string> contents(kv_table& t, key_group_range groups = {0, 32767}) {
  std::map<std::string, std::string> out;
  REQUIRE(t.scan(groups, [&](std::string_view k, std::string_view v) {
    out.emplace(k, v);
    return true;
  }));
  return out;
}

/// Writes `per_group` entries into every key group of [0, groups), some of them overwritten
/// and deleted later, with a flush in between so that the data spans several SST files.
std::map<std::string, std::string> fill(kv_table& t, int groups, int per_group,
                                        const std::string& tag) {
  std::map<std::string, std::string> expected;
  kv_write_batch b;
  for (int g = 0; g < groups; ++g)
    for (int i = 0; i < per_group; ++i) {
      auto k = key(g, "k");
      k += std::to_string(i);  // not "k" + to_string(i): g++ 12 warns (-Wrestrict) on that
      auto v = tag + std::to_string(g * 1000 + i);
      b.put(k, v);
      expected[k] = v;
    }
  REQUIRE(t.write(b));
  b.clear();
  for (int g = 0; g < groups; g += 3) {
    auto k = key(g, "k0");
    b.remove(k);
    expected.erase(k);
  }
  REQUIRE(t.write(b));
  return expected;
}

}  // namespace

TEST_CASE("rocksdb tables: put, get, remove, write batches and multi_get") {
  temp_dir dir;
  auto backend = open_backend(dir / "db");
  CHECK(backend->name() == "rocksdb");
  CHECK_FALSE(backend->keeps_objects());
  auto t = open_table(*backend, "op", "s");

  std::string v;
  REQUIRE(t->put(key(1, "a"), "1"));
  CHECK(*t->get(key(1, "a"), v));
  CHECK(v == "1");
  CHECK_FALSE(*t->get(key(1, "b"), v));
  REQUIRE(t->remove(key(1, "a")));
  CHECK_FALSE(*t->get(key(1, "a"), v));

  kv_write_batch b;
  b.put(key(2, "x"), "x1");
  b.put(key(2, "y"), std::string(1000, 'y'));  // lengths above one varint byte
  b.put(key(2, "x"), "x2");                    // applied in order: the later put wins
  b.remove(key(2, "y"));
  b.put(key(3, std::string("\0\xff", 2)), std::string("\0v", 2));  // any bytes
  CHECK(b.size() == 5);
  REQUIRE(t->write(b));

  std::vector<std::string> keys{key(2, "x"), key(2, "y"), key(3, std::string("\0\xff", 2)),
                                key(9, "none")};
  std::vector<std::string_view> views(keys.begin(), keys.end());
  std::vector<std::optional<std::string>> values;
  REQUIRE(t->multi_get(views, values));
  REQUIRE(values.size() == 4);
  CHECK(values[0] == "x2");
  CHECK_FALSE(values[1]);
  CHECK(values[2] == std::string("\0v", 2));
  CHECK_FALSE(values[3]);
}

TEST_CASE("rocksdb tables: keys are ordered by key group first, so ranges scan and delete whole") {
  temp_dir dir;
  auto backend = open_backend(dir / "db");
  auto t = open_table(*backend, "op", "s");
  // Big-endian prefixes: group 256 sorts after group 255, whatever follows the prefix.
  kv_write_batch b;
  for (int g : {0, 1, 2, 255, 256, 300, 1000, 32767}) {
    b.put(key(g, "zz"), "late");
    b.put(key(g, std::string("\0", 1)), "early");
  }
  REQUIRE(t->write(b));

  std::vector<int> order;
  REQUIRE(t->scan({0, 32767}, [&](std::string_view k, std::string_view) {
    order.push_back(key_group_of_table_key(k));
    return true;
  }));
  CHECK(order ==
        std::vector<int>{0, 0, 1, 1, 2, 2, 255, 255, 256, 256, 300, 300, 1000, 1000, 32767, 32767});

  auto mid = contents(*t, {2, 300});
  CHECK(mid.size() == 8);
  CHECK(mid.begin()->first == key(2, std::string("\0", 1)));
  CHECK(mid.rbegin()->first == key(300, "zz"));
  CHECK(contents(*t, {5, 4}).empty());  // an empty range

  int seen = 0;
  REQUIRE(t->scan({0, 32767}, [&](std::string_view, std::string_view) { return ++seen < 3; }));
  CHECK(seen == 3);  // stops when fn returns false

  REQUIRE(t->put(key(2000, "pre-a"), "1"));
  REQUIRE(t->put(key(2000, "pre-b"), "2"));
  REQUIRE(t->put(key(2000, "prf"), "3"));
  std::vector<std::string> prefixed;
  REQUIRE(t->scan_prefix(key(2000, "pre"), [&](std::string_view k, std::string_view) {
    prefixed.emplace_back(k);
    return true;
  }));
  CHECK(prefixed == std::vector<std::string>{key(2000, "pre-a"), key(2000, "pre-b")});

  REQUIRE(t->remove_key_groups({2, 300}));
  std::set<int> left;
  for (auto& [k, v] : contents(*t)) left.insert(key_group_of_table_key(k));
  CHECK(left == std::set<int>{0, 1, 1000, 2000, 32767});

  b.clear();
  b.remove_prefix(key(2000, "pre"));
  REQUIRE(t->write(b));
  CHECK(contents(*t, {2000, 2000}) == std::map<std::string, std::string>{{key(2000, "prf"), "3"}});
}

TEST_CASE("rocksdb tables: one column family per operator and state, shared by its subtasks") {
  temp_dir dir;
  auto backend = open_backend(dir / "db");
  auto a0 = open_table(*backend, "op/1", "a", 0);
  auto a1 = open_table(*backend, "op/1", "a", 1);
  auto b0 = open_table(*backend, "op/1", "b", 0);
  auto other = open_table(*backend, "op", "1/a", 0);  // would collide without escaping
  REQUIRE(a0->put(key(1, "k"), "from subtask 0"));
  REQUIRE(a1->put(key(100, "k"), "from subtask 1"));
  std::string v;
  CHECK(*a1->get(key(1, "k"), v));  // the same column family
  CHECK(contents(*a0).size() == 2);
  CHECK(contents(*b0).empty());
  CHECK(contents(*other).empty());
  CHECK(backend->column_families() == std::vector<std::string>{"op%2F1/a", "op%2F1/b", "op/1/a"});
}

TEST_CASE("rocksdb tables: reopening the directory keeps column families and data") {
  temp_dir dir;
  std::map<std::string, std::string> expected;
  {
    auto backend = open_backend(dir / "db");
    auto t = open_table(*backend, "op", "s");
    expected = fill(*t, 16, 10, "v");
  }  // no WAL: closing must flush the memtables
  auto backend = open_backend(dir / "db");
  CHECK(backend->column_families() == std::vector<std::string>{"op/s"});
  CHECK(contents(*open_table(*backend, "op", "s")) == expected);
}

TEST_CASE("rocksdb checkpoints: restore of every key group brings all column families back") {
  temp_dir dir;
  auto live = open_backend(dir / "live");
  auto s1 = open_table(*live, "op", "s1");
  auto s2 = open_table(*live, "op", "s2");
  auto e1 = fill(*s1, 128, 20, "a");
  auto e2 = fill(*s2, 128, 5, "b");
  REQUIRE(s2->remove_key_groups({10, 19}));  // a range tombstone inside the range
  for (auto it = e2.begin(); it != e2.end();) {
    int g = key_group_of_table_key(it->first);
    it = g >= 10 && g <= 19 ? e2.erase(it) : std::next(it);
  }
  open_table(*live, "op", "empty");  // a column family with nothing in it
  REQUIRE(live->create_checkpoint(dir / "cp1"));
  CHECK(std::filesystem::exists(dir / "cp1/DATAFLOW_CHECKPOINT"));
  CHECK_FALSE(live->create_checkpoint(dir / "cp1"));  // the directory must be new

  // Writes after the checkpoint are not in it.
  REQUIRE(s1->put(key(0, "after"), "x"));

  auto restored = open_backend(dir / "restored");
  auto stats = restored->restore_from_checkpoint(dir / "cp1", {0, 127});
  REQUIRE_MESSAGE(stats, (stats ? "" : stats.error().to_string()));
  CHECK(stats->imported_column_families == 2);  // the fast path: files linked in, not copied
  CHECK(stats->copied_column_families == 0);
  CHECK(contents(*open_table(*restored, "op", "s1")) == e1);
  CHECK(contents(*open_table(*restored, "op", "s2")) == e2);
  // The restored database takes writes, which win over the imported entries.
  auto r1 = open_table(*restored, "op", "s1");
  REQUIRE(r1->put(key(5, "k1"), "new"));
  std::string v;
  CHECK(*r1->get(key(5, "k1"), v));
  CHECK(v == "new");
  // The checkpoint itself is unchanged and can be restored again.
  auto again = open_backend(dir / "again");
  REQUIRE(again->restore_from_checkpoint(dir / "cp1", {0, 127}));
  CHECK(contents(*open_table(*again, "op", "s1")) == e1);
}

TEST_CASE("rocksdb checkpoints: successive checkpoints share the files that did not change") {
  temp_dir dir;
  auto live = open_backend(dir / "live");
  auto t = open_table(*live, "op", "s");
  fill(*t, 128, 200, "v");
  REQUIRE(live->create_checkpoint(dir / "cp1"));
  REQUIRE(t->put(key(3, "more"), "x"));
  REQUIRE(live->create_checkpoint(dir / "cp2"));
  auto ssts = [&](const std::string& d) {
    std::map<std::string, ino_t> out;
    for (auto& e : std::filesystem::directory_iterator(d))
      if (e.path().extension() == ".sst") {
        struct stat st {};
        REQUIRE(::stat(e.path().c_str(), &st) == 0);
        out[e.path().filename().string()] = st.st_ino;
      }
    return out;
  };
  auto one = ssts(dir / "cp1");
  auto two = ssts(dir / "cp2");
  REQUIRE_FALSE(one.empty());
  CHECK(two.size() == one.size() + 1);  // the second adds only the newly flushed file
  for (auto& [name, ino] : one) CHECK(two[name] == ino);  // hard links: the same file
}

TEST_CASE("rocksdb checkpoints: restoring half the key groups brings back only those") {
  temp_dir dir;
  auto live = open_backend(dir / "live");
  auto s1 = open_table(*live, "op", "s1");
  auto s2 = open_table(*live, "op", "s2");
  auto e1 = fill(*s1, 128, 20, "a");
  auto e2 = fill(*s2, 128, 5, "b");
  REQUIRE(live->create_checkpoint(dir / "cp"));

  // Rescale from one instance to two: each restores its half into its own database.
  std::map<std::string, std::string> union1, union2;
  for (int i = 0; i < 2; ++i) {
    auto range = key_group_range_of(i, 2, 128);
    auto half = open_backend(dir / ("half" + std::to_string(i)));
    auto stats = half->restore_from_checkpoint(dir / "cp", range);
    REQUIRE_MESSAGE(stats, (stats ? "" : stats.error().to_string()));
    CHECK(stats->imported_column_families == 0);
    CHECK(stats->copied_column_families == 2);
    auto c1 = contents(*open_table(*half, "op", "s1"));
    auto c2 = contents(*open_table(*half, "op", "s2"));
    CHECK(stats->copied_entries == c1.size() + c2.size());
    for (auto& [k, v] : c1) {
      CHECK(range.contains(key_group_of_table_key(k)));
      union1.insert({k, v});
    }
    for (auto& [k, v] : c2) {
      CHECK(range.contains(key_group_of_table_key(k)));
      union2.insert({k, v});
    }
  }
  CHECK(union1 == e1);
  CHECK(union2 == e2);
}

TEST_CASE("rocksdb backend: errors name the directory") {
  temp_dir dir;
  dataflow::testing::write_file(dir / "file", "not a directory");
  auto b = rocksdb_state_backend::open(dir / "file");
  REQUIRE_FALSE(b);
  CHECK(b.error().code() == errc::io_error);
  CHECK(b.error().message().find(dir / "file") != std::string::npos);

  auto made = make_rocksdb_state_backend(dir / "file");
  CHECK_FALSE(made);

  auto live = open_backend(dir / "db");
  auto r = live->restore_from_checkpoint(dir / "no-checkpoint", {0, 127});
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find(dir / "no-checkpoint") != std::string::npos);

  // A checkpoint whose metadata is damaged is refused with the directory named.
  REQUIRE(live->create_checkpoint(dir / "cp"));
  dataflow::testing::write_file(dir / "cp/DATAFLOW_CHECKPOINT", "garbage");
  auto bad = live->restore_from_checkpoint(dir / "cp", {0, 127});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == errc::decode_failed);
  CHECK(bad.error().message().find(dir / "cp") != std::string::npos);
}
