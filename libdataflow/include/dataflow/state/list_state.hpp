// Keyed list state: a list of values per key. Thread-safety: owned by one operator instance.
#pragma once

#include <vector>

namespace dataflow {

template <class V>
class list_state {
 public:
  virtual ~list_state() = default;
  /// The current key's list, or nullptr when empty. Valid until the next key change or change
  /// of the list (a change after a checkpoint froze it works on a copy).
  [[nodiscard]] virtual const std::vector<V>* get() = 0;
  virtual void add(V value) = 0;
  virtual void update(std::vector<V> values) = 0;
  virtual void clear() = 0;
};

}  // namespace dataflow
