// Keyed value state: one value per key. Handles are scoped to the current key of their
// keyed_state_store. Thread-safety: owned by one operator instance.
#pragma once

#include <optional>

namespace dataflow {

template <class V>
class value_state {
 public:
  virtual ~value_state() = default;
  /// The current key's value, or nullptr. Valid until the next key change or change of the
  /// value (update, get_mutable, get_or_create, clear): after a checkpoint froze the value, a
  /// change copies it, and the copy is what the state holds from then on.
  [[nodiscard]] virtual const V* get() = 0;
  virtual void update(V value) = 0;
  virtual void clear() = 0;
  /// The current key's value for changes in place, or nullptr. Valid until the next key change.
  [[nodiscard]] virtual V* get_mutable() = 0;
  /// The same, value-initialized first when absent.
  virtual V& get_or_create() = 0;

  [[nodiscard]] std::optional<V> value() {
    auto* p = get();
    return p ? std::optional<V>(*p) : std::nullopt;
  }
  [[nodiscard]] V value_or(V fallback) {
    auto* p = get();
    return p ? *p : fallback;
  }
};

}  // namespace dataflow
