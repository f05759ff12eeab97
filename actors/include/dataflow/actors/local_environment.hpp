// An environment whose jobs run embedded in this process, on CAF actors.
//
//   dataflow::local_environment env;
//   env.from_collection(std::vector<int>{1, 2, 3}).map([](int x) { return x * 2; }).print();
//   auto result = env.execute();   // returns when the bounded source is done
//
#pragma once

#include <memory>

#include "dataflow/actors/local_executor.hpp"
#include "dataflow/dataflow.hpp"

namespace dataflow {

class local_environment : public environment {
 public:
  local_environment() : environment(std::make_shared<actors::local_executor>()) {}
};

}  // namespace dataflow
