// Field names of dynamic rows, interned once per process. A `field_id` is a small integer
// standing for a field name; rows store ids, so looking a field up is an integer compare, never
// a string compare. Intern the names a job uses once (when it is built or an operator opens)
// and keep the ids:
//
//   static const auto user = dataflow::field_id::of("user");  // interns "user" (locks once)
//   if (const value* v = r.find(user)) ...                     // no lock, no string compare
//
// Ids are per process: they are never written to disk or sent between processes (rows
// serialize their field names instead, see row.hpp).
// Thread-safety: of() and name() may be called from any thread; of() takes a lock, name() does
// not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace dataflow {

/// The id of an interned field name.
class field_id {
 public:
  /// An invalid id (names no field); what a default-constructed id holds.
  static constexpr std::uint32_t invalid_index = UINT32_MAX;

  constexpr field_id() noexcept = default;

  /// Interns `name` (once per process) and returns its id. Equal names give equal ids.
  static field_id of(std::string_view name);

  /// The name this id stands for; empty for an invalid id. Valid for the whole process.
  [[nodiscard]] std::string_view name() const noexcept;

  [[nodiscard]] constexpr std::uint32_t index() const noexcept { return index_; }
  [[nodiscard]] constexpr bool valid() const noexcept { return index_ != invalid_index; }

  friend constexpr bool operator==(field_id a, field_id b) noexcept = default;
  friend constexpr auto operator<=>(field_id a, field_id b) noexcept = default;

  template <class H>
  friend H AbslHashValue(H h, field_id f) {
    return H::combine(std::move(h), f.index_);
  }

 private:
  explicit constexpr field_id(std::uint32_t i) noexcept : index_(i) {}
  std::uint32_t index_ = invalid_index;
};

/// The number of names interned so far in this process.
std::size_t interned_field_count();

}  // namespace dataflow

template <>
struct std::hash<dataflow::field_id> {
  std::size_t operator()(dataflow::field_id f) const noexcept { return f.index(); }
};
