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
