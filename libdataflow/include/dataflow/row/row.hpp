// A dynamic row: the fields of one record of a pipeline file's stream, as (field_id, value)
// pairs in one flat vector, in the order they were added (the input's order for rows parsed
// from JSON). Lookups compare precomputed ids, so intern the names once:
//
//   static const auto amount = field_id::of("amount");
//   row r;
//   r.set(amount, 12.5);                   // replaces or appends
//   if (const value* v = r.find(amount)) total += v->to_double();
//   const value& u = r.get(field_id::of("user"));   // null when missing
//
// Equality ignores field order. Serialization (cereal) writes field NAMES, not ids, because ids
// are per process: a row decoded in another process interns the names there. `row` is a record
// type like any other (record<row>, batch<row>); record_type_of<row>() registers it on first use.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/row/field_id.hpp"
#include "dataflow/row/value.hpp"

namespace dataflow {

class row {
 public:
  /// One field.
  struct field {
    field_id id;
    class value value;
    friend bool operator==(const field&, const field&) = default;
  };
  using const_iterator = std::vector<field>::const_iterator;

  row() = default;
  /// A row from (name, value) pairs: row{{"user", "ann"}, {"n", 3}}.
  row(std::initializer_list<std::pair<std::string_view, value>> fields);

  /// The field's value, or nullptr when the row has no such field.
  [[nodiscard]] const value* find(field_id id) const noexcept {
    for (auto& f : fields_)
      if (f.id == id) return &f.value;
    return nullptr;
  }
  value* find(field_id id) noexcept {
    for (auto& f : fields_)
      if (f.id == id) return &f.value;
    return nullptr;
  }
  /// The field's value; a null value when the row has no such field.
  [[nodiscard]] const value& get(field_id id) const noexcept;
  [[nodiscard]] bool contains(field_id id) const noexcept { return find(id) != nullptr; }

  /// Sets the field, replacing its value or appending it.
  void set(field_id id, value v) {
    if (auto* p = find(id))
      *p = std::move(v);
    else
      fields_.push_back(field{id, std::move(v)});
  }
  /// Appends a field without looking for an existing one: the caller knows it is new.
  value& append(field_id id, value v = {}) {
    fields_.push_back(field{id, std::move(v)});
    return fields_.back().value;
  }
  /// Removes the field; returns whether it was there.
  bool erase(field_id id);
  /// Renames field `from` to `to` (replacing an existing `to`); returns whether `from` was there.
  bool rename(field_id from, field_id to);

  [[nodiscard]] std::size_t size() const noexcept { return fields_.size(); }
  [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }
  void clear() noexcept { fields_.clear(); }
  void reserve(std::size_t n) { fields_.reserve(n); }
  [[nodiscard]] const_iterator begin() const noexcept { return fields_.begin(); }
  [[nodiscard]] const_iterator end() const noexcept { return fields_.end(); }
  [[nodiscard]] const std::vector<field>& fields() const noexcept { return fields_; }

  /// The same fields with equal values, in any order.
  friend bool operator==(const row& a, const row& b) noexcept;

  /// cereal: the number of fields, then (name, value) for each.
  template <class Archive>
  void save(Archive& ar) const {
    ar(static_cast<std::uint64_t>(fields_.size()));
    for (auto& f : fields_) {
      ar(std::string(f.id.name()));
      f.value.save(ar);
    }
  }
  template <class Archive>
  void load(Archive& ar) {
    std::uint64_t n = 0;
    ar(n);
    fields_.clear();
    fields_.reserve(static_cast<std::size_t>(n));
    std::string name;
    for (std::uint64_t i = 0; i < n; ++i) {
      ar(name);
      fields_.push_back(field{field_id::of(name), {}});
      fields_.back().value.load(ar);
    }
  }

 private:
  std::vector<field> fields_;
};

/// Appends `r` as one JSON object (no newline), fields in the row's order.
void append_json(std::string& out, const row& r);
/// `r` as a JSON object.
std::string to_json(const row& r);
/// Prints to_json(r).
std::ostream& operator<<(std::ostream& os, const row& r);

}  // namespace dataflow
