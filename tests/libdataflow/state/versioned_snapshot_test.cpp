// The snapshot envelope: round trip, another version rejected before the parts are touched,
// truncated bytes rejected, each error naming its owner.
#include <doctest/doctest.h>

#include "dataflow/state/versioned_snapshot.hpp"

using namespace dataflow;

TEST_CASE("versioned snapshot: round trip, other version, truncated bytes") {
  const std::string bytes = write_versioned_snapshot(3, std::string("state"), std::int64_t{42});
  std::string st;
  std::int64_t wm = 0;
  REQUIRE(read_versioned_snapshot(bytes, 3, "window", st, wm));
  CHECK(st == "state");
  CHECK(wm == 42);

  std::string st2 = "untouched";
  auto s = read_versioned_snapshot(bytes, 4, "window", st2, wm);
  CHECK(s.code() == errc::decode_failed);
  CHECK(s.message() == "window snapshot has format version 3, expected 4");
  CHECK(st2 == "untouched");

  s = read_versioned_snapshot(std::string_view(bytes).substr(0, bytes.size() - 3), 3, "join", st2,
                              wm);
  CHECK(s.code() == errc::decode_failed);
  CHECK(s.message().find("join snapshot: ") == 0);
}

TEST_CASE("versioned snapshot: a part written in place has the bytes of a copied-in part") {
  const std::string inner = write_versioned_snapshot(1, std::string("rows"), std::int64_t{7});
  const std::string copied = write_versioned_snapshot(2, inner, std::int64_t{42});

  std::string in_place;
  detail::append_cereal(in_place, std::uint32_t{2});
  REQUIRE(append_nested_snapshot(in_place, [](std::string& o) {
    detail::append_cereal(o, std::uint32_t{1}, std::string("rows"), std::int64_t{7});
    return status::ok();
  }));
  detail::append_cereal(in_place, std::int64_t{42});
  CHECK(in_place == copied);

  // Empty and nested twice.
  std::string empty_copied = write_versioned_snapshot(1, std::string(), std::string("x"));
  std::string empty_in_place;
  detail::append_cereal(empty_in_place, std::uint32_t{1});
  REQUIRE(append_nested_snapshot(empty_in_place, [](std::string&) { return status::ok(); }));
  REQUIRE(append_nested_snapshot(empty_in_place, [](std::string& o) {
    return append_nested_snapshot(o, [](std::string&) { return status::ok(); });
  }));
  CHECK(empty_in_place.size() == empty_copied.size() + 7);  // "x" vs. an empty nested string
  std::string a, b;
  REQUIRE(read_versioned_snapshot(empty_in_place, 1, "t", a, b));
  CHECK(a.empty());
  CHECK(b == std::string(8, '\0'));

  // An error from the part is returned as it is.
  std::string failed;
  auto s = append_nested_snapshot(failed, [](std::string&) {
    return status{errc::not_serializable, "no"};
  });
  CHECK(s.code() == errc::not_serializable);
}
