// Keyed map state: a map from user keys to values per key. Thread-safety: owned by one
// operator instance.
#pragma once

#include <functional>

namespace dataflow {

template <class UK, class UV>
class map_state {
 public:
  virtual ~map_state() = default;
  /// The value, or nullptr. Valid until the next key change or change of the current key's
  /// map (a change after a checkpoint froze it works on a copy).
  [[nodiscard]] virtual const UV* get(const UK& user_key) = 0;
  virtual void put(const UK& user_key, UV value) = 0;
  virtual void remove(const UK& user_key) = 0;
  [[nodiscard]] virtual bool contains(const UK& user_key) = 0;
  /// Calls `fn(user_key, value)` for every entry of the current key.
  virtual void for_each(const std::function<void(const UK&, const UV&)>& fn) = 0;
  [[nodiscard]] virtual bool is_empty() = 0;
  virtual void clear() = 0;
};

}  // namespace dataflow
