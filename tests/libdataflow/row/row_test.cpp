// Values, rows and row keys: order, equality with hashing, JSON text and cereal round trips.
#include "dataflow/row/row.hpp"

#include <doctest/doctest.h>

#include <absl/hash/hash.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <thread>

#include "dataflow/record/batch.hpp"
#include "dataflow/row/row_key.hpp"

using namespace dataflow;

namespace {

template <class T>
T round_trip(const T& x) {
  std::stringstream ss;
  {
    cereal::BinaryOutputArchive out(ss);
    out(x);
  }
  T y;
  cereal::BinaryInputArchive in(ss);
  in(y);
  return y;
}

}  // namespace

TEST_CASE("value: the total order puts kinds in order and compares numbers across int and double") {
  std::vector<value> ordered = {value(),
                                false,
                                true,
                                -1.5,
                                0,
                                1,
                                1.5,
                                2,
                                std::nan(""),
                                "a",
                                "b",
                                value::list{1},
                                value::list{1, 2},
                                value::raw_json("{\"a\":1}")};
  for (std::size_t i = 0; i + 1 < ordered.size(); ++i) {
    CAPTURE(i);
    CHECK(ordered[i] < ordered[i + 1]);
    CHECK(!(ordered[i + 1] < ordered[i]));
  }
  CHECK(value(1) == value(1.0));
  CHECK(value(std::nan("")) == value(std::nan("")));
  // Exact at the edge of double precision: 2^53 + 1 is not the double 2^53.
  std::int64_t big = (std::int64_t(1) << 53) + 1;
  CHECK(value(big) > value(9007199254740992.0));
  CHECK(value(INT64_MAX) < value(9223372036854775808.0));
  CHECK(value(INT64_MIN) == value(-9223372036854775808.0));
  CHECK(value(-1) > value(-1.5));
}

TEST_CASE("value: equal values hash alike with std::hash and absl::Hash") {
  CHECK(std::hash<value>{}(value(3)) == std::hash<value>{}(value(3.0)));
  CHECK(absl::Hash<value>{}(value(3)) == absl::Hash<value>{}(value(3.0)));
  CHECK(std::hash<value>{}(value(0.0)) == std::hash<value>{}(value(-0.0)));
  CHECK(std::hash<value>{}(value("x")) == std::hash<value>{}(value(std::string("x"))));
  CHECK(std::hash<value>{}(value(1)) != std::hash<value>{}(value("1")));
}

TEST_CASE("value: JSON text escapes strings and keeps doubles doubles") {
  CHECK(to_json(value()) == "null");
  CHECK(to_json(value(true)) == "true");
  CHECK(to_json(value(-42)) == "-42");
  CHECK(to_json(value(2.0)) == "2.0");
  CHECK(to_json(value(0.1)) == "0.1");
  CHECK(to_json(value(1e300)) == "1e+300");
  CHECK(to_json(value(INFINITY)) == "null");
  CHECK(to_json(value("a\"b\\c\nd\te\x01")) == "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
  CHECK(to_json(value("héllo")) == "\"héllo\"");
  CHECK(to_json(value(value::list{1, "x", value::list{}})) == "[1,\"x\",[]]");
  CHECK(to_json(value::raw_json("{\"k\":[1]}")) == "{\"k\":[1]}");
}

TEST_CASE("row: set, find, get, erase and rename by field id") {
  auto a = field_id::of("a"), b = field_id::of("b"), c = field_id::of("c");
  CHECK(field_id::of("a") == a);
  CHECK(a.name() == "a");
  row r;
  r.set(a, 1);
  r.set(b, "x");
  r.set(a, 2);  // replaces
  CHECK(r.size() == 2);
  REQUIRE(r.find(a));
  CHECK(*r.find(a) == value(2));
  CHECK(r.get(c).is_null());
  CHECK(!r.contains(c));
  CHECK(r.rename(b, c));
  CHECK(r.get(c) == value("x"));
  CHECK(to_json(r) == "{\"a\":2,\"c\":\"x\"}");
  CHECK(r.erase(a));
  CHECK(!r.erase(a));
  CHECK(r.size() == 1);
}

TEST_CASE("row: equality ignores field order") {
  row x{{"a", 1}, {"b", "s"}};
  row y{{"b", "s"}, {"a", 1.0}};
  CHECK(x == y);
  y.set(field_id::of("a"), 2);
  CHECK(!(x == y));
  CHECK(!(x == row{{"a", 1}}));
}

TEST_CASE("row: cereal round trip writes names, so any process reads them") {
  row r{{"user", "ann"},
        {"n", 3},
        {"amount", 2.5},
        {"ok", true},
        {"nothing", nullptr},
        {"tags", value::list{"x", 1}},
        {"obj", value::raw_json("{}")}};
  auto back = round_trip(r);
  CHECK(back == r);
  CHECK(to_json(back) == to_json(r));
  // The encoding holds the names as text.
  std::stringstream ss;
  {
    cereal::BinaryOutputArchive out(ss);
    out(r);
  }
  CHECK(ss.str().find("amount") != std::string::npos);
  // And a batch of rows crosses nodes through the record type registry.
  batch<row> b;
  b.records.push_back(record<row>{r, 17});
  std::string bytes;
  REQUIRE(b.type().encode(b, bytes));
  auto* t = find_record_type(record_type_of<row>().name());
  REQUIRE(t);
  auto decoded = t->decode(bytes);
  REQUIRE(decoded);
  auto& rs = records_of<row>(**decoded);
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].ts == 17);
  CHECK(rs[0].value == r);
}

TEST_CASE("row_key: equality, order, hashing, cereal and printing") {
  auto user = field_id::of("user"), page = field_id::of("page");
  std::vector<field_id> by{user, page};
  row r1{{"user", "ann"}, {"page", 1}};
  row r2{{"page", 1.0}, {"user", "ann"}, {"x", 0}};
  auto k1 = row_key::of(r1, by), k2 = row_key::of(r2, by);
  CHECK(k1 == k2);
  CHECK(std::hash<row_key>{}(k1) == std::hash<row_key>{}(k2));
  CHECK(absl::Hash<row_key>{}(k1) == absl::Hash<row_key>{}(k2));
  CHECK(row_key{"ann", 1} < row_key{"ann", 2});
  CHECK(row_key{"ann"} < row_key{"ann", 0});
  CHECK(row_key::of(row{}, by) == row_key{value(), value()});
  CHECK(round_trip(k1) == k1);
  std::ostringstream os;
  os << k1 << " " << row_key{"solo"};
  CHECK(os.str() == "[\"ann\",1] \"solo\"");
}

TEST_CASE("field_id: interning from many threads gives one id per name") {
  std::vector<std::thread> ts;
  std::vector<std::vector<field_id>> ids(4);
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([t, &ids] {
      for (int i = 0; i < 500; ++i) {
        char name[16];
        std::snprintf(name, sizeof name, "f%d", i);
        ids[t].push_back(field_id::of(name));
      }
    });
  for (auto& t : ts) t.join();
  for (int t = 1; t < 4; ++t) CHECK(ids[t] == ids[0]);
  CHECK(ids[0][7].name() == "f7");
}
