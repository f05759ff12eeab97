// What a window aggregation emits by default: the key, the window and the aggregate value.
// Thread-safety: a plain value.
#pragma once

#include <ostream>

#include "dataflow/window/time_window.hpp"

namespace dataflow {

template <class K, class V>
struct window_result {
  K key{};
  time_window window;
  V value{};

  friend bool operator==(const window_result&, const window_result&) = default;
  friend auto operator<=>(const window_result&, const window_result&) = default;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(key, window, value);
  }
};

template <class K, class V>
std::ostream& operator<<(std::ostream& os, const window_result<K, V>& r) {
  return os << r.key << " [" << r.window.start << ", " << r.window.end << ") " << r.value;
}

}  // namespace dataflow
