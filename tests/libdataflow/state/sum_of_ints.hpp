// An aggregating state's function for the keyed-state tests: the sum of ints, as a long.
#pragma once

#include "dataflow/aggregate/aggregate_function.hpp"

namespace dataflow::testing {

struct sum_of_ints final : aggregate_function<int, long, long> {
  long create() const override { return 0; }
  void add(long& acc, const int& v) const override { acc += v; }
  void merge(long& a, const long& b) const override { a += b; }
  long result(const long& acc) const override { return acc; }
};

}  // namespace dataflow::testing
