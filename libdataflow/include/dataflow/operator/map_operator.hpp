// map: one output per input, same timestamp. Thread-safety: one instance per operator instance.
#pragma once

#include "dataflow/operator/operator.hpp"

namespace dataflow {

template <class In, class Out, class F>
class map_operator final : public operator_base {
 public:
  explicit map_operator(F fn) : fn_(std::move(fn)) {}
  void on_batch(int, const batch_base& in, operator_output& out) override {
    auto& dst = out.records<Out>();
    for (auto& r : records_of<In>(in)) dst.push_back(record<Out>{fn_(r.value), r.ts});
  }

 private:
  F fn_;
};

}  // namespace dataflow
