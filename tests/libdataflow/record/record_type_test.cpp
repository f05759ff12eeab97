#include "dataflow/record/batch.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {
struct event {
  std::string user;
  long bytes = 0;
  friend bool operator==(const event&, const event&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user, bytes);
  }
};
struct opaque {
  int x = 0;
};
}  // namespace

using namespace dataflow;

TEST_CASE("a batch encodes to bytes and decodes by its type name") {
  batch<event> b({{{"ann", 10}, 1000}, {{"bob", 20}, 2000}});
  std::string bytes;
  REQUIRE(b.type().encode(b, bytes));
  auto* t = find_record_type(b.type().name());
  REQUIRE(t == &b.type());
  auto decoded = t->decode(bytes);
  REQUIRE(decoded);
  CHECK(records_of<event>(**decoded) == b.records);
}

TEST_CASE("truncated bytes give decode_failed, not a crash") {
  batch<event> b({{{"ann", 10}, 1000}});
  std::string bytes;
  REQUIRE(b.type().encode(b, bytes));
  bytes.resize(bytes.size() / 2);
  auto decoded = b.type().decode(bytes);
  REQUIRE_FALSE(decoded);
  CHECK(decoded.error().code() == errc::decode_failed);
}

TEST_CASE("a type without serialize() cannot cross nodes and says so") {
  batch<opaque> b({{{1}, 0}});
  std::string bytes;
  auto s = b.type().encode(b, bytes);
  CHECK(s.code() == errc::not_serializable);
  CHECK(s.message().find("serialize") != std::string::npos);
}

TEST_CASE("append and swap move whole batches") {
  batch<int> a({{1, 1}, {2, 2}});
  batch<int> b({{3, 3}});
  b.append(a, false);
  CHECK(b.size() == 3);
  CHECK(a.size() == 2);
  batch<int> c;
  c.swap_records(b);
  CHECK(c.size() == 3);
  CHECK(b.empty());
}
