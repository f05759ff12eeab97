// distinct_counts in snapshots: the block-wise binary encoding writes exactly the bytes of the
// std::vector<std::pair<V, uint32>> that earlier checkpoints hold, and reads them back.
#include <doctest/doctest.h>

#include <map>
#include <random>
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
  for (std::size_t n : {0u, 1u, 2u, 3u, 255u, 256u, 257u, 1000u}) {
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

TEST_CASE("distinct_counts: inline and in a hash table, the same multiset as a reference") {
  // Few distinct values stay inline, more move into a hash table; adds, merges and retractions
  // cross that line both ways. std::map is the reference.
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    CAPTURE(round);
    const std::uint64_t domain = 1 + rng() % 6;  // often within inline_values, often beyond
    distinct_counts<std::uint64_t> d, added;
    std::map<std::uint64_t, std::uint32_t> ref;
    for (int op = 0; op < 20; ++op) {
      const std::uint64_t v = rng() % domain;
      const auto n = static_cast<std::uint32_t>(1 + rng() % 3);
      switch (rng() % 3) {
        case 0:
          d.add(v, n);
          added.add(v, n);
          ref[v] += n;
          break;
        case 1: {
          distinct_counts<std::uint64_t> other;
          other.add(v, n);
          other.add(v + 1, 1);
          d.merge(other);
          added.merge(other);
          ref[v] += n;
          ref[v + 1] += 1;
          break;
        }
        default:
          // Retract what was added so far, then add it back: the set empties and refills.
          d.retract(added);
          CHECK(d.empty());
          d.merge(added);
      }
      REQUIRE(d.distinct() == ref.size());
      for (auto& [x, c] : ref) CHECK(d.count(x) == c);
      CHECK(d.count(domain + 5) == 0);
    }
    CHECK(d == added);
    CHECK(decode<distinct_counts<std::uint64_t>>(encode(d)) == d);
  }
}

TEST_CASE("distinct_counts: a partial retraction keeps the rest, inline or not") {
  for (std::uint64_t n : {1u, 2u, 3u, 10u}) {
    CAPTURE(n);
    distinct_counts<std::uint64_t> d, part;
    for (std::uint64_t v = 0; v < n; ++v) d.add(v, 3);
    part.add(0, 1);
    part.add(n - 1, 3);
    d.retract(part);
    CHECK(d.count(0) == (n == 1 ? 0 : 2));
    CHECK(d.count(n - 1) == 0);
    CHECK(d.distinct() == n - 1);
  }
}
