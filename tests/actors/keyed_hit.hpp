// The record of the whole-job checkpoint, savepoint and state-backend tests: a key and a value,
// serializable with cereal so that sources and keyed state can snapshot it. Each test has its
// own generator of hits.
#pragma once

#include <cstdint>

namespace dataflow::testing {

struct hit {
  int key = 0;
  std::int64_t v = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(key, v);
  }
};

}  // namespace dataflow::testing
