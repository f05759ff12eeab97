// Aggregates over named row fields (what pipeline files use), alone and in sliding windows.
#include <doctest/doctest.h>

#include "dataflow/aggregate/row_aggregates.hpp"
#include "dataflow/row/row_key.hpp"
#include "dataflow/testing/operator_harness.hpp"
#include "dataflow/window/window_operator_factory.hpp"

using namespace dataflow;

namespace {

const field_id user = field_id::of("user"), bytes = field_id::of("bytes"),
               page = field_id::of("page");

row_aggregates all_kinds() {
  using k = row_aggregate_kind;
  return row_aggregates({{k::count, {}, field_id::of("rows")},
                         {k::count, page, field_id::of("pages")},
                         {k::sum, bytes, field_id::of("sum")},
                         {k::min, bytes, field_id::of("min")},
                         {k::max, page, field_id::of("max")},
                         {k::avg, bytes, field_id::of("avg")},
                         {k::count_distinct, user, field_id::of("users")},
                         {k::collect, page, field_id::of("all")}});
}

}  // namespace

TEST_CASE("row aggregates: every kind over named fields, nulls and missing fields skipped") {
  auto a = all_kinds();
  CHECK_FALSE(a.invertible());
  auto acc = a.create();
  a.add(acc, row{{"user", "ann"}, {"bytes", 10}, {"page", "/a"}});
  a.add(acc, row{{"user", "bob"}, {"bytes", 2.5}, {"page", nullptr}});
  a.add(acc, row{{"user", "ann"}, {"bytes", "n/a"}});
  auto r = a.result(acc);
  CHECK(r.get(field_id::of("rows")) == value(3));
  CHECK(r.get(field_id::of("pages")) == value(1));
  CHECK(r.get(field_id::of("sum")) == value(12.5));
  CHECK(r.get(field_id::of("min")) == value(2.5));
  CHECK(r.get(field_id::of("max")) == value("/a"));
  CHECK(r.get(field_id::of("avg")) == value(6.25));
  CHECK(r.get(field_id::of("users")) == value(2));
  CHECK(r.get(field_id::of("all")) == value(value::list{"/a"}));
}

TEST_CASE("row aggregates: a sum of ints stays an int, and merge and retract are exact") {
  using k = row_aggregate_kind;
  row_aggregates a({{k::sum, bytes, bytes},
                    {k::avg, bytes, field_id::of("avg")},
                    {k::count_distinct, user, user}});
  CHECK(a.invertible());
  auto x = a.create(), y = a.create();
  a.add(x, row{{"bytes", 3}, {"user", "ann"}});
  a.add(y, row{{"bytes", 4}, {"user", "bob"}});
  a.add(y, row{{"bytes", 1.5}, {"user", "ann"}});
  CHECK(a.result(x).get(bytes) == value(3));
  CHECK(a.result(x).get(bytes).is_int());
  a.merge(x, y);
  CHECK(a.result(x).get(bytes) == value(8.5));
  CHECK(a.result(x).get(user) == value(2));
  a.retract(x, y);
  CHECK(a.result(x).get(bytes) == value(3));
  CHECK(a.result(x).get(bytes).is_int());
  CHECK(a.result(x).get(field_id::of("avg")) == value(3.0));
  CHECK(a.result(x).get(user) == value(1));
}

TEST_CASE("row aggregates drive sliding windows keyed by row fields") {
  using k = row_aggregate_kind;
  const std::vector<field_id> by{page};
  auto key_fn = [by](const row& r) { return row_key::of(r, by); };
  for (bool with_max : {false, true}) {
    CAPTURE(with_max);
    std::vector<row_aggregate_spec> specs{{k::count, {}, field_id::of("n")},
                                          {k::count_distinct, user, user}};
    if (with_max) specs.push_back({k::max, bytes, bytes});
    testing::operator_harness<row, window_result<row_key, row>> h(
        make_window_aggregate<row>(key_fn, sliding_windows(20, 10), row_aggregates(specs)));
    h.push(row{{"page", "/a"}, {"user", "ann"}, {"bytes", 5}}, 1);
    h.push(row{{"page", "/a"}, {"user", "bob"}, {"bytes", 7}}, 12);
    h.push(row{{"page", "/a"}, {"user", "ann"}, {"bytes", 1}}, 25);
    h.end();
    auto out = h.values();
    REQUIRE(out.size() == 4);  // [-10,10) [0,20) [10,30) [20,40)
    CHECK(out[1].window == time_window{0, 20});
    CHECK(out[1].value.get(field_id::of("n")) == value(2));
    CHECK(out[1].value.get(user) == value(2));
    CHECK(out[2].value.get(user) == value(2));
    CHECK(out[3].value.get(user) == value(1));
    if (with_max) CHECK(out[2].value.get(bytes) == value(7));
  }
}
