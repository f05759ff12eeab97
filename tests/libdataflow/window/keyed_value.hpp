// The element of the window and snapshot tests: a key and a value to aggregate.
#pragma once

#include <cstdint>

namespace dataflow::testing {

struct keyed_value {
  int key = 0;
  std::int64_t v = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(key, v);
  }
};

}  // namespace dataflow::testing
