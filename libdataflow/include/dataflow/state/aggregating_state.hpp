// Keyed aggregating state: folds added values with an aggregate_function, keeping only the
// accumulator. Thread-safety: owned by one operator instance.
#pragma once

#include <optional>

namespace dataflow {

template <class In, class Out>
class aggregating_state {
 public:
  virtual ~aggregating_state() = default;
  virtual void add(const In& value) = 0;
  /// The aggregate of the current key, or empty when nothing was added.
  [[nodiscard]] virtual std::optional<Out> get() = 0;
  virtual void clear() = 0;
};

}  // namespace dataflow
