// A multiplicity map: how often each distinct value occurs. count_distinct keeps one per slice
// and one per running window, so expired slices can be subtracted exactly.
// Up to `inline_values` distinct numbers live inline in the object, searched linearly; more move
// into a swiss table. Most slices of a per-user window hold one or two values: inline, they cost
// no allocation to make, copy (a checkpoint's copy-on-write) or free, and no pointer to follow
// when a snapshot writes them. Other value types (strings, row values) use the table only, so
// that an accumulator holding one (a row aggregate's variant of slots) stays small.
// Thread-safety: a plain value.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <absl/container/inlined_vector.h>
#include <cereal/archives/binary.hpp>
#include <cereal/cereal.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

namespace dataflow {

template <class V>
class distinct_counts {
 public:
  /// Distinct values kept inline before the set moves into a hash table.
  static constexpr std::size_t inline_values = std::is_arithmetic_v<V> ? 2 : 0;

  void add(const V& v, std::uint32_t n = 1) {
    if (!counts_.empty()) {
      counts_[v] += n;
      return;
    }
    for (auto& [x, c] : few_)
      if (x == v) {
        c += n;
        return;
      }
    if (few_.size() < inline_values) {
      few_.emplace_back(v, n);
      return;
    }
    counts_.reserve(inline_values + 1);
    for (auto& [x, c] : few_) counts_.emplace(std::move(x), c);
    few_.clear();
    counts_.emplace(v, n);
  }
  void merge(const distinct_counts& other) {
    assert(&other != this);
    other.for_each([&](const V& v, std::uint32_t n) { add(v, n); });
  }
  /// Removes `other`, which must have been merged (or added) before.
  void retract(const distinct_counts& other) {
    assert(&other != this);
    other.for_each([&](const V& v, std::uint32_t n) {
      if (!counts_.empty()) {
        auto it = counts_.find(v);
        if (it == counts_.end()) return;
        if (it->second <= n)
          counts_.erase(it);
        else
          it->second -= n;
        return;
      }
      for (auto it = few_.begin(); it != few_.end(); ++it)
        if (it->first == v) {
          if (it->second <= n)
            few_.erase(it);
          else
            it->second -= n;
          return;
        }
    });
  }
  [[nodiscard]] std::uint64_t distinct() const noexcept { return counts_.size() + few_.size(); }
  [[nodiscard]] bool empty() const noexcept { return counts_.empty() && few_.empty(); }
  [[nodiscard]] std::uint32_t count(const V& v) const {
    if (!counts_.empty()) {
      auto it = counts_.find(v);
      return it == counts_.end() ? 0 : it->second;
    }
    for (auto& [x, c] : few_)
      if (x == v) return c;
    return 0;
  }
  /// fn(value, count) for every distinct value, in no particular order.
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (auto& [v, n] : few_) fn(v, n);
    for (auto& [v, n] : counts_) fn(v, n);
  }

  friend bool operator==(const distinct_counts& a, const distinct_counts& b) {
    if (a.distinct() != b.distinct()) return false;
    bool same = true;
    a.for_each([&](const V& v, std::uint32_t n) { same = same && b.count(v) == n; });
    return same;
  }

  // The bytes of a std::vector<std::pair<V, std::uint32_t>>, without copying the set into one.
  // In a binary archive numbers go in blocks of a few kilobytes, not a stream call per field
  // (a checkpoint writes every slice's set; bench/README.md "Checkpoints in a running job"
  // has what this changed, which was little).
  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_size_tag(static_cast<cereal::size_type>(distinct())));
    if constexpr (std::is_same_v<Archive, cereal::BinaryOutputArchive> && std::is_arithmetic_v<V>) {
      constexpr std::size_t row = sizeof(V) + sizeof(std::uint32_t);
      char block[row * 256];
      std::size_t used = 0;
      for_each([&](const V& v, std::uint32_t n) {
        std::memcpy(block + used, &v, sizeof(V));
        std::memcpy(block + used + sizeof(V), &n, sizeof(std::uint32_t));
        used += row;
        if (used == sizeof(block)) {
          ar(cereal::binary_data(block, used));
          used = 0;
        }
      });
      if (used != 0) ar(cereal::binary_data(block, used));
    } else {
      for_each([&](const V& v, std::uint32_t n) { ar(v, n); });
    }
  }
  template <class Archive>
  void load(Archive& ar) {
    cereal::size_type size = 0;
    ar(cereal::make_size_tag(size));
    counts_.clear();
    few_.clear();
    // Capped: a corrupt size must fail at the end of the input, not allocate terabytes first.
    if (size > inline_values)
      counts_.reserve(std::min<std::size_t>(static_cast<std::size_t>(size), std::size_t{1} << 20));
    if constexpr (std::is_same_v<Archive, cereal::BinaryInputArchive> && std::is_arithmetic_v<V>) {
      constexpr std::size_t row = sizeof(V) + sizeof(std::uint32_t);
      char block[row * 256];
      for (std::size_t left = static_cast<std::size_t>(size); left != 0;) {
        const std::size_t rows = std::min<std::size_t>(left, 256);
        ar(cereal::binary_data(block, rows * row));
        for (std::size_t i = 0; i < rows; ++i) {
          V v;
          std::uint32_t n;
          std::memcpy(&v, block + i * row, sizeof(V));
          std::memcpy(&n, block + i * row + sizeof(V), sizeof(std::uint32_t));
          add(v, n);
        }
        left -= rows;
      }
    } else {
      for (cereal::size_type i = 0; i < size; ++i) {
        V v{};
        std::uint32_t n = 0;
        ar(v, n);
        add(v, n);
      }
    }
  }

 private:
  using entry = std::pair<V, std::uint32_t>;
  /// No inline values: an empty range that takes no space.
  struct no_values {
    entry* begin() const noexcept { return nullptr; }
    entry* end() const noexcept { return nullptr; }
    std::size_t size() const noexcept { return 0; }
    bool empty() const noexcept { return true; }
    void clear() noexcept {}
    void emplace_back(const V&, std::uint32_t) noexcept {}
    void erase(entry*) noexcept {}
  };
  // One of the two holds the values: `few_` until it would hold more than inline_values, then
  // `counts_` (for as long as it holds any).
  [[no_unique_address]] std::conditional_t<
      (inline_values > 0), absl::InlinedVector<entry, std::max<std::size_t>(inline_values, 1)>,
      no_values>
      few_;
  absl::flat_hash_map<V, std::uint32_t> counts_;
};

}  // namespace dataflow
