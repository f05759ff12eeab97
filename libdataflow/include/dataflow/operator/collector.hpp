// A collector appends values to an output with a fixed timestamp (the input's or the timer's).
#pragma once

#include <vector>

#include "dataflow/record/record.hpp"

namespace dataflow {

template <class T>
class collector {
 public:
  collector(std::vector<record<T>>& out, timestamp ts) : out_(&out), ts_(ts) {}
  void collect(T value) { out_->push_back(record<T>{std::move(value), ts_}); }
  void collect(T value, timestamp ts) { out_->push_back(record<T>{std::move(value), ts}); }
  [[nodiscard]] timestamp ts() const noexcept { return ts_; }

 private:
  std::vector<record<T>>* out_;
  timestamp ts_;
};

}  // namespace dataflow
