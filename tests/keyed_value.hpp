// The record of many tests (windows, snapshots, whole jobs with checkpoints): a key and a value,
// serializable with cereal so that sources and keyed state can snapshot it.
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
