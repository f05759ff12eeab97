// A record: a value with its event timestamp. Thread-safety: plain values.
#pragma once

#include "dataflow/time/timestamp.hpp"

namespace dataflow {

/// One element of a stream: a user value `T` and its event time in milliseconds.
template <class T>
struct record {
  T value;
  timestamp ts = 0;

  friend bool operator==(const record&, const record&) = default;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(value, ts);
  }
};

}  // namespace dataflow
