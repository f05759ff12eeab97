// An aggregate function: create / add / merge / result, with an optional retract for
// invertible aggregates (which lets sliding windows subtract expired slices, #3).
// Thread-safety: const methods; one object may be shared by all instances.
#pragma once

namespace dataflow {

template <class In, class Acc, class Out>
class aggregate_function {
 public:
  using input_type = In;
  using accumulator_type = Acc;
  using result_type = Out;

  virtual ~aggregate_function() = default;
  [[nodiscard]] virtual Acc create() const = 0;
  virtual void add(Acc& acc, const In& value) const = 0;
  virtual void merge(Acc& into, const Acc& other) const = 0;
  [[nodiscard]] virtual Out result(const Acc& acc) const = 0;
  /// Whether retract() is implemented.
  [[nodiscard]] virtual bool invertible() const { return false; }
  /// Removes `other` (previously merged) from `from`; only if invertible().
  virtual void retract(Acc& from, const Acc& other) const {
    (void)from;
    (void)other;
  }
};

}  // namespace dataflow
