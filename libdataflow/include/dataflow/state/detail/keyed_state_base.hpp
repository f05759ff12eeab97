// What every keyed state implementation (heap objects, byte tables) offers its
// keyed_state_store, and the current-key slot the store shares with its states.
// Thread-safety: owned by one operator instance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "dataflow/core/status.hpp"
#include "dataflow/graph/key_group.hpp"
#include "dataflow/state/deferred_snapshot.hpp"

namespace dataflow::detail {

/// std::hash, finalized: swiss tables need well-mixed bits and std::hash is the identity on
/// integers.
template <class K>
struct mixed_hash {
  std::size_t operator()(const K& k) const noexcept {
    return static_cast<std::size_t>(mix_hash(std::hash<K>{}(k)));
  }
};

/// The current key, shared by all states of one store.
template <class K>
struct current_key_slot {
  K key{};
  std::uint64_t version = 0;  // bumped on every key change and on restore
};

template <class K>
class keyed_state_base {
 public:
  virtual ~keyed_state_base() = default;
  /// Keys with state (a metric and for tests; byte tables count by scanning).
  [[nodiscard]] virtual std::size_t entries() const noexcept = 0;
  /// Appends (key group, key, value) rows of every key to `out`, in the format of the heap
  /// states (appends, so that a snapshot is written in place into its envelope).
  [[nodiscard]] virtual status snapshot(std::string& out, int max_parallelism) const = 0;
  /// The same bytes, written later (deferred_snapshot.hpp): the state as of now, while it goes
  /// on changing. The default writes them now.
  [[nodiscard]] virtual expected<deferred_snapshot> freeze(int max_parallelism) const {
    std::string bytes;
    if (auto s = snapshot(bytes, max_parallelism); !s) return s;
    return deferred_bytes(std::move(bytes));
  }
  /// Adds the rows of `bytes` whose key group is in `range`.
  [[nodiscard]] virtual status restore(std::string_view bytes, key_group_range range,
                                       int max_parallelism) = 0;
  /// For every key with state: fn(key).
  virtual void for_each_key(const std::function<void(const K&)>& fn) const = 0;
  /// Writes cached changes to the backend (byte tables); heap states have none.
  [[nodiscard]] virtual status flush() { return status::ok(); }
};

}  // namespace dataflow::detail
