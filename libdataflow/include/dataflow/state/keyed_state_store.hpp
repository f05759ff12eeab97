// The keyed state of one operator instance: named states (value, list, map, aggregating),
// each scoped to the current key, which the operator sets before calling user code.
// Snapshots carry a format version and every state by name, so a restore can report states
// it does not know. Thread-safety: owned by one operator instance.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/operator/operator_context.hpp"
#include "dataflow/state/detail/heap_state.hpp"
#include "dataflow/state/state_backend.hpp"
#include "dataflow/state/versioned_snapshot.hpp"

namespace dataflow {

template <class K>
class keyed_state_store {
 public:
  /// Format of snapshot(); restore() rejects other versions.
  static constexpr std::uint32_t snapshot_version = 1;

  explicit keyed_state_store(const operator_info& info = {}) : info_(info) {}
  // States point at current_: the store stays where it was made.
  keyed_state_store(const keyed_state_store&) = delete;
  keyed_state_store& operator=(const keyed_state_store&) = delete;

  /// Which instance this is: restore() keeps the key groups it owns.
  void set_info(const operator_info& info) { info_ = info; }

  void set_current_key(const K& key) {
    current_.key = key;
    ++current_.version;
  }
  [[nodiscard]] const K& current_key() const noexcept { return current_.key; }

  /// The value state `name`, created on first use.
  template <class V>
  value_state<V>& value(const std::string& name) {
    return get_or_create<detail::heap_value_state<K, V>>(name);
  }
  template <class V>
  list_state<V>& list(const std::string& name) {
    return get_or_create<detail::heap_list_state<K, V>>(name);
  }
  template <class UK, class UV>
  map_state<UK, UV>& map(const std::string& name) {
    return get_or_create<detail::heap_map_state<K, UK, UV>>(name);
  }
  template <class In, class Acc, class Out>
  aggregating_state<In, Out>& aggregating(
      const std::string& name, std::shared_ptr<const aggregate_function<In, Acc, Out>> fn) {
    return get_or_create<detail::heap_aggregating_state<K, In, Acc, Out>>(name, std::move(fn));
  }

  /// The same, deducing the types from an aggregate_function subclass `F`.
  template <class F>
  aggregating_state<typename F::input_type, typename F::result_type>& aggregating(
      const std::string& name, std::shared_ptr<const F> fn) {
    using base = aggregate_function<typename F::input_type, typename F::accumulator_type,
                                    typename F::result_type>;
    return aggregating<typename F::input_type, typename F::accumulator_type,
                       typename F::result_type>(name, std::shared_ptr<const base>(std::move(fn)));
  }

  /// Entries over all states (a key with two states counts twice).
  [[nodiscard]] std::size_t entries() const noexcept {
    std::size_t n = 0;
    for (auto& s : states_) n += s.second->entries();
    return n;
  }

  [[nodiscard]] status snapshot(std::string& out) const {
    std::vector<std::pair<std::string, std::string>> parts;
    for (auto& [name, st] : states_) {
      std::string bytes;
      if (auto s = st->snapshot(bytes, info_.max_parallelism); !s) return s;
      parts.emplace_back(name, std::move(bytes));
    }
    out = write_versioned_snapshot(snapshot_version, parts);
    return status::ok();
  }

  /// Restores the key groups this instance owns. States restored here must be declared
  /// (by first use) before; bytes of undeclared states are kept until they are declared.
  [[nodiscard]] status restore(std::string_view bytes) {
    std::vector<std::pair<std::string, std::string>> parts;
    if (auto s = read_versioned_snapshot(bytes, snapshot_version, "keyed state", parts); !s)
      return s;
    pending_ = std::move(parts);
    for (auto& [name, st] : states_)
      if (auto s = restore_pending(name, *st); !s) return s;
    ++current_.version;
    return status::ok();
  }

  /// Calls fn(key) for every key that has state in `state_name`.
  void for_each_key(const std::string& state_name, const std::function<void(const K&)>& fn) const {
    for (auto& [name, st] : states_)
      if (name == state_name) st->for_each_key(fn);
  }

 private:
  template <class S, class... Args>
  S& get_or_create(const std::string& name, Args&&... args) {
    for (auto& [n, st] : states_)
      if (n == name) {
        auto* typed = dynamic_cast<S*>(st.get());
        if (!typed) throw std::logic_error("state '" + name + "' was declared with another type");
        return *typed;
      }
    auto st = std::make_unique<S>(&current_, std::forward<Args>(args)...);
    auto& ref = *st;
    if (auto s = restore_pending(name, ref); !s) throw std::runtime_error(s.to_string());
    states_.emplace_back(name, std::move(st));
    return ref;
  }

  status restore_pending(const std::string& name, detail::heap_state_base<K>& st) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it)
      if (it->first == name) {
        auto range = key_group_range_of(info_.subtask, info_.parallelism, info_.max_parallelism);
        auto s = st.restore(it->second, range, info_.max_parallelism);
        pending_.erase(it);
        return s;
      }
    return status::ok();
  }

  operator_info info_;
  detail::current_key_slot<K> current_;
  std::vector<std::pair<std::string, std::unique_ptr<detail::heap_state_base<K>>>> states_;
  std::vector<std::pair<std::string, std::string>> pending_;
};

}  // namespace dataflow
