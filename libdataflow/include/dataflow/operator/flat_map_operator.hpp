// flat_map: any number of outputs per input, each with the input's timestamp.
// The function is called as fn(const In&, collector<Out>&).
#pragma once

#include "dataflow/operator/collector.hpp"
#include "dataflow/operator/operator.hpp"

namespace dataflow {

template <class In, class Out, class F>
class flat_map_operator final : public operator_base {
 public:
  explicit flat_map_operator(F fn) : fn_(std::move(fn)) {}
  void on_batch(int, const batch_base& in, operator_output& out) override {
    auto& dst = out.records<Out>();
    for (auto& r : records_of<In>(in)) {
      collector<Out> c(dst, r.ts);
      fn_(r.value, c);
    }
  }

 private:
  F fn_;
};

}  // namespace dataflow
