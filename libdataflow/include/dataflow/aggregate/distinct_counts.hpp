// A multiplicity map: how often each distinct value occurs. count_distinct keeps one per slice
// and one per running window, so expired slices can be subtracted exactly.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include <absl/container/flat_hash_map.h>
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

  template <class Archive>
  void save(Archive& ar) const {
    std::vector<std::pair<V, std::uint32_t>> rows(counts_.begin(), counts_.end());
    ar(rows);
  }
  template <class Archive>
  void load(Archive& ar) {
    std::vector<std::pair<V, std::uint32_t>> rows;
    ar(rows);
    counts_.clear();
    counts_.reserve(rows.size());
    for (auto& [v, n] : rows) counts_.emplace(std::move(v), n);
  }

 private:
  absl::flat_hash_map<V, std::uint32_t> counts_;
};

}  // namespace dataflow
