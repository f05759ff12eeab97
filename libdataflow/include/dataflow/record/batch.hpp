// Batches: what channels carry. A batch holds the records of one type; operators see them
// through `batch_base` and cast to `batch<T>` (the graph guarantees the type).
// Thread-safety: a batch is written by one owner, then shared read-only (batch_ptr).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "dataflow/record/record.hpp"

namespace dataflow {

class record_type;

/// A type-erased batch of records.
class batch_base {
 public:
  virtual ~batch_base() = default;
  [[nodiscard]] virtual std::size_t size() const noexcept = 0;
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  /// The record type, which knows how to encode and decode batches of it.
  [[nodiscard]] virtual const record_type& type() const noexcept = 0;
  /// A new, empty batch of the same type with room for `capacity` records.
  [[nodiscard]] virtual std::unique_ptr<batch_base> make_empty(std::size_t capacity) const = 0;
  virtual void clear() noexcept = 0;
  /// Appends the records of `other` (same type), moving them out when `move` is set.
  virtual void append(batch_base& other, bool move) = 0;
  /// Swaps contents with `other` (same type): hands a whole batch over without copying.
  virtual void swap_records(batch_base& other) noexcept = 0;
};

/// A batch of `record<T>`.
template <class T>
class batch final : public batch_base {
 public:
  batch() = default;
  explicit batch(std::vector<record<T>> rs) : records(std::move(rs)) {}

  std::vector<record<T>> records;

  std::size_t size() const noexcept override { return records.size(); }
  const record_type& type() const noexcept override;
  std::unique_ptr<batch_base> make_empty(std::size_t capacity) const override {
    auto b = std::make_unique<batch<T>>();
    b->records.reserve(capacity);
    return b;
  }
  void clear() noexcept override { records.clear(); }
  void append(batch_base& other, bool move) override {
    auto& src = static_cast<batch<T>&>(other).records;
    if (move)
      records.insert(records.end(), std::make_move_iterator(src.begin()),
                     std::make_move_iterator(src.end()));
    else
      records.insert(records.end(), src.begin(), src.end());
  }
  void swap_records(batch_base& other) noexcept override {
    records.swap(static_cast<batch<T>&>(other).records);
  }
};

/// A sealed batch on its way through a channel; shared, never modified once sent.
using batch_ptr = std::shared_ptr<const batch_base>;

/// Casts a type-erased batch to its record vector.
template <class T>
const std::vector<record<T>>& records_of(const batch_base& b) {
  return static_cast<const batch<T>&>(b).records;
}
template <class T>
std::vector<record<T>>& records_of(batch_base& b) {
  return static_cast<batch<T>&>(b).records;
}

}  // namespace dataflow

#include "dataflow/record/record_type.hpp"

template <class T>
const dataflow::record_type& dataflow::batch<T>::type() const noexcept {
  return record_type_of<T>();
}
