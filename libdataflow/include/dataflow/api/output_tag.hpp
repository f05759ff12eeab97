// Names a side output of type T (late data, errors...). Thread-safety: plain value.
#pragma once

#include <string>

namespace dataflow {

template <class T>
struct output_tag {
  std::string id;
};

}  // namespace dataflow
