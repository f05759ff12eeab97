// The key of a row: the values of one or more key fields, in the order of the key fields. It is
// what key_by returns for pipeline-file streams, and works as a window key K: it has ==, a total
// order (<, lexicographic over values), std::hash and AbslHashValue, cereal serialization and
// operator<< (a single value prints as JSON, several as a JSON array).
//
//   const std::vector<field_id> by{field_id::of("user"), field_id::of("page")};
//   auto keyed = rows.key_by([by](const row& r) { return row_key::of(r, by); });
//
// A missing key field counts as null. Thread-safety: a plain value.
#pragma once

#include <absl/container/inlined_vector.h>

#include <cstdint>
#include <functional>
#include <ostream>
#include <span>
#include <string>

#include "dataflow/row/row.hpp"

namespace dataflow {

class row_key {
 public:
  using values_type = absl::InlinedVector<value, 2>;

  row_key() = default;
  explicit row_key(values_type values) : values_(std::move(values)) {}
  row_key(std::initializer_list<value> values) : values_(values) {}

  /// The values of `fields` in `r` (null for a missing field).
  static row_key of(const row& r, std::span<const field_id> fields) {
    row_key k;
    k.values_.reserve(fields.size());
    for (auto id : fields) k.values_.push_back(r.get(id));
    return k;
  }

  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
  [[nodiscard]] const value& operator[](std::size_t i) const { return values_[i]; }
  [[nodiscard]] const values_type& values() const noexcept { return values_; }

  friend bool operator==(const row_key& a, const row_key& b) noexcept {
    return a.values_ == b.values_;
  }
  friend std::weak_ordering operator<=>(const row_key& a, const row_key& b) noexcept {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
      if (int c = compare(a.values_[i], b.values_[i])) return c <=> 0;
    return a.size() <=> b.size();
  }

  [[nodiscard]] std::size_t hash() const noexcept {
    std::size_t h = values_.size();
    for (auto& v : values_) h ^= v.hash() + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
  }
  template <class H>
  friend H AbslHashValue(H h, const row_key& k) {
    return H::combine(std::move(h), k.hash());
  }

  template <class Archive>
  void save(Archive& ar) const {
    ar(static_cast<std::uint64_t>(values_.size()));
    for (auto& v : values_) v.save(ar);
  }
  template <class Archive>
  void load(Archive& ar) {
    std::uint64_t n = 0;
    ar(n);
    values_.assign(static_cast<std::size_t>(n), value{});
    for (auto& v : values_) v.load(ar);
  }

  /// Appends the key as JSON: the value for one field, a JSON array for several.
  friend void append_json(std::string& out, const row_key& k) {
    if (k.size() == 1) return append_json(out, k.values_[0]);
    out.push_back('[');
    for (std::size_t i = 0; i < k.size(); ++i) {
      if (i) out.push_back(',');
      append_json(out, k.values_[i]);
    }
    out.push_back(']');
  }
  friend std::ostream& operator<<(std::ostream& os, const row_key& k) {
    std::string s;
    append_json(s, k);
    return os << s;
  }

 private:
  values_type values_;
};

}  // namespace dataflow

template <>
struct std::hash<dataflow::row_key> {
  std::size_t operator()(const dataflow::row_key& k) const noexcept { return k.hash(); }
};
