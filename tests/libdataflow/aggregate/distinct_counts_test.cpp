// distinct_counts in snapshots: the block-wise binary encoding writes exactly the bytes of the
// std::vector<std::pair<V, uint32>> that earlier checkpoints hold, and reads them back.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <cereal/archives/binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include "dataflow/aggregate/distinct_counts.hpp"

using namespace dataflow;

namespace {

template <class T>
std::string encode(const T& value) {
  std::ostringstream os(std::ios::binary);
  {
    cereal::BinaryOutputArchive ar(os);
    ar(value);
  }
  return std::move(os).str();
}

template <class T>
T decode(const std::string& bytes) {
  std::istringstream is(bytes, std::ios::binary);
  cereal::BinaryInputArchive ar(is);
  T value;
  ar(value);
  return value;
}

// The vector form, in the set's own iteration order (as the old save() copied it).
template <class V>
std::vector<std::pair<V, std::uint32_t>> rows_of(const distinct_counts<V>& d,
                                                 const std::vector<V>& values) {
  std::vector<std::pair<V, std::uint32_t>> rows;
  for (auto& v : values)
    if (d.count(v) != 0) rows.emplace_back(v, d.count(v));
  return rows;
}

}  // namespace

TEST_CASE(
    "distinct_counts: numbers round-trip across block boundaries, same bytes as the vector form") {
  for (std::size_t n : {0u, 1u, 255u, 256u, 257u, 1000u}) {
    CAPTURE(n);
    distinct_counts<std::uint64_t> d;
    std::vector<std::uint64_t> values;
    for (std::size_t i = 0; i < n; ++i) {
      values.push_back(i * 7919 + 3);
      d.add(values.back(), static_cast<std::uint32_t>(i % 5 + 1));
    }
    const auto bytes = encode(d);
    CHECK(bytes.size() == 8 + n * 12);
    const auto back = decode<distinct_counts<std::uint64_t>>(bytes);
    CHECK(back == d);
    CHECK(back.distinct() == n);
    // Old checkpoints: a vector of pairs decodes into the same set.
    CHECK(decode<distinct_counts<std::uint64_t>>(encode(rows_of(d, values))) == d);
    // And the new bytes are a valid vector of pairs.
    auto rows = decode<std::vector<std::pair<std::uint64_t, std::uint32_t>>>(bytes);
    REQUIRE(rows.size() == n);
    for (auto& [v, c] : rows) CHECK(d.count(v) == c);
  }
}

TEST_CASE("distinct_counts: strings use the per-field path and round-trip") {
  distinct_counts<std::string> d;
  std::vector<std::string> values;
  for (int i = 0; i < 300; ++i) {
    values.push_back("https://cdn.example.com/c/" + std::to_string(i));
    d.add(values.back(), static_cast<std::uint32_t>(i % 3 + 1));
  }
  const auto bytes = encode(d);
  CHECK(decode<distinct_counts<std::string>>(bytes) == d);
  CHECK(decode<distinct_counts<std::string>>(encode(rows_of(d, values))) == d);
}

TEST_CASE("distinct_counts: a truncated snapshot throws instead of reading past the end") {
  distinct_counts<std::uint64_t> d;
  for (std::uint64_t i = 0; i < 600; ++i) d.add(i);
  auto bytes = encode(d);
  bytes.resize(bytes.size() - 5);
  CHECK_THROWS(decode<distinct_counts<std::uint64_t>>(bytes));
}
