// union: passes records of any number of inputs through unchanged. Its input watermark is the
// minimum over all inputs, which the runtime's watermark valve computes.
#pragma once

#include "dataflow/operator/operator.hpp"

namespace dataflow {

template <class T>
class union_operator final : public operator_base {
 public:
  void on_batch(int, const batch_base& in, operator_output& out) override {
    auto& dst = out.records<T>();
    auto& src = records_of<T>(in);
    dst.insert(dst.end(), src.begin(), src.end());
  }
};

}  // namespace dataflow
