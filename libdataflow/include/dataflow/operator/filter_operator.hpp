// filter: keeps the records for which the predicate holds.
#pragma once

#include "dataflow/operator/operator.hpp"

namespace dataflow {

template <class T, class F>
class filter_operator final : public operator_base {
 public:
  explicit filter_operator(F pred) : pred_(std::move(pred)) {}
  void on_batch(int, const batch_base& in, operator_output& out) override {
    auto& dst = out.records<T>();
    for (auto& r : records_of<T>(in))
      if (pred_(r.value)) dst.push_back(r);
  }

 private:
  F pred_;
};

}  // namespace dataflow
