// A multiplicity map: how often each distinct value occurs. count_distinct keeps one per slice
// and one per running window, so expired slices can be subtracted exactly.
// Thread-safety: a plain value.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <cereal/archives/binary.hpp>
#include <cereal/cereal.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

namespace dataflow {

template <class V>
class distinct_counts {
 public:
  void add(const V& v, std::uint32_t n = 1) { counts_[v] += n; }
  void merge(const distinct_counts& other) {
    for (auto& [v, n] : other.counts_) counts_[v] += n;
  }
  /// Removes `other`, which must have been merged (or added) before.
  void retract(const distinct_counts& other) {
    for (auto& [v, n] : other.counts_) {
      auto it = counts_.find(v);
      if (it == counts_.end()) continue;
      if (it->second <= n)
        counts_.erase(it);
      else
        it->second -= n;
    }
  }
  [[nodiscard]] std::uint64_t distinct() const noexcept { return counts_.size(); }
  [[nodiscard]] bool empty() const noexcept { return counts_.empty(); }
  [[nodiscard]] std::uint32_t count(const V& v) const {
    auto it = counts_.find(v);
    return it == counts_.end() ? 0 : it->second;
  }

  friend bool operator==(const distinct_counts& a, const distinct_counts& b) {
    return a.counts_ == b.counts_;
  }

  // The bytes of a std::vector<std::pair<V, std::uint32_t>>, without copying the set into one.
  // In a binary archive numbers go in blocks of a few kilobytes, not a stream call per field
  // (a checkpoint writes every slice's set; bench/README.md "Checkpoints in a running job"
  // has what this changed, which was little).
  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_size_tag(static_cast<cereal::size_type>(counts_.size())));
    if constexpr (std::is_same_v<Archive, cereal::BinaryOutputArchive> && std::is_arithmetic_v<V>) {
      constexpr std::size_t row = sizeof(V) + sizeof(std::uint32_t);
      char block[row * 256];
      std::size_t used = 0;
      for (auto& [v, n] : counts_) {
        std::memcpy(block + used, &v, sizeof(V));
        std::memcpy(block + used + sizeof(V), &n, sizeof(std::uint32_t));
        used += row;
        if (used == sizeof(block)) {
          ar(cereal::binary_data(block, used));
          used = 0;
        }
      }
      if (used != 0) ar(cereal::binary_data(block, used));
    } else {
      for (auto& [v, n] : counts_) ar(v, n);
    }
  }
  template <class Archive>
  void load(Archive& ar) {
    cereal::size_type size = 0;
    ar(cereal::make_size_tag(size));
    counts_.clear();
    // Capped: a corrupt size must fail at the end of the input, not allocate terabytes first.
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
          counts_.emplace(v, n);
        }
        left -= rows;
      }
    } else {
      for (cereal::size_type i = 0; i < size; ++i) {
        V v{};
        std::uint32_t n = 0;
        ar(v, n);
        counts_.emplace(std::move(v), n);
      }
    }
  }

 private:
  absl::flat_hash_map<V, std::uint32_t> counts_;
};

}  // namespace dataflow
