// The keyed state of one operator instance: named states (value, list, map, aggregating),
// each scoped to the current key, which the operator sets before calling user code.
// Snapshots carry a format version and every state by name, so a restore can report states
// it does not know.
//
// Where states live is chosen by open(ctx): on the heap as typed objects (the memory backend,
// and the default), or in the byte tables of a serializing backend (RocksDB) behind a
// write-back cache per state (detail/table_state_base.hpp). Both write the same snapshot
// format, so a snapshot taken with one backend restores into the other. On a byte table, state
// access throws std::runtime_error when the backend fails. Thread-safety: owned by one operator
// instance; what freeze() returns may run on another thread while the store goes on changing.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "dataflow/operator/operator_context.hpp"
#include "dataflow/state/deferred_snapshot.hpp"
#include "dataflow/state/detail/heap_state.hpp"
#include "dataflow/state/detail/table_map_state.hpp"
#include "dataflow/state/detail/table_state.hpp"
#include "dataflow/state/state_backend.hpp"
#include "dataflow/state/versioned_snapshot.hpp"

namespace dataflow {

template <class K>
class keyed_state_store {
 public:
  /// Format of snapshot(); restore() rejects other versions.
  static constexpr std::uint32_t snapshot_version = 1;

  /// A store whose states live on the heap, for instance `info`.
  explicit keyed_state_store(const operator_info& info = {}) { set_info(info); }
  // States point at current_: the store stays where it was made.
  keyed_state_store(const keyed_state_store&) = delete;
  keyed_state_store& operator=(const keyed_state_store&) = delete;

  /// Which instance this is: restore() keeps the key groups it owns.
  void set_info(const operator_info& info) {
    info_ = info;
    scope_.max_parallelism = info.max_parallelism;
    scope_.owned = key_group_range_of(info.subtask, info.parallelism, info.max_parallelism);
  }

  /// Opens the store for an operator instance: set_info(ctx.info), and when ctx.backend does
  /// not keep objects (RocksDB), states declared from then on keep their data in its byte
  /// tables. States whose key or value type has no cereal serialize() stay on the heap (they
  /// could not be snapshotted on either backend). Call before declaring any state.
  [[nodiscard]] status open(const operator_context& ctx) {
    if (!states_.empty())
      return {errc::invalid_configuration,
              "keyed state of '" + ctx.info.name + "': open() after states were declared"};
    if (ctx.info.max_parallelism < 1 || ctx.info.max_parallelism > max_key_groups)
      return {errc::invalid_configuration, "keyed state of '" + ctx.info.name +
                                               "': max_parallelism must be in [1, " +
                                               std::to_string(max_key_groups) + "]"};
    set_info(ctx.info);
    backend_ = ctx.backend && !ctx.backend->keeps_objects() ? ctx.backend : nullptr;
    if (backend_) scope_.cache_entries = backend_->state_cache_entries();
    return status::ok();
  }

  /// True when states keep their data in a backend's byte tables.
  [[nodiscard]] bool uses_tables() const noexcept { return backend_ != nullptr; }

  /// Writes every state's cached changes to the backend, in one batch per state: call before a
  /// native checkpoint of the backend. Nothing to do for heap states.
  [[nodiscard]] status flush() {
    for (auto& [name, st] : states_)
      if (auto s = st->flush(); !s) return s;
    return status::ok();
  }

  void set_current_key(const K& key) {
    current_.key = key;
    ++current_.version;
  }
  [[nodiscard]] const K& current_key() const noexcept { return current_.key; }

  /// The value state `name`, created on first use.
  template <class V>
  value_state<V>& value(const std::string& name) {
    return get_or_create<value_state<V>, detail::heap_value_state<K, V>,
                         table_if<detail::table_value_state<K, V>, V>>(name);
  }
  template <class V>
  list_state<V>& list(const std::string& name) {
    return get_or_create<list_state<V>, detail::heap_list_state<K, V>,
                         table_if<detail::table_list_state<K, V>, V>>(name);
  }
  template <class UK, class UV>
  map_state<UK, UV>& map(const std::string& name) {
    return get_or_create<map_state<UK, UV>, detail::heap_map_state<K, UK, UV>,
                         table_if<detail::table_map_state<K, UK, UV>, UK, UV>>(name);
  }
  template <class In, class Acc, class Out>
  aggregating_state<In, Out>& aggregating(
      const std::string& name, std::shared_ptr<const aggregate_function<In, Acc, Out>> fn) {
    return get_or_create<aggregating_state<In, Out>,
                         detail::heap_aggregating_state<K, In, Acc, Out>,
                         table_if<detail::table_aggregating_state<K, In, Acc, Out>, Acc>>(
        name, std::move(fn));
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
    out.clear();
    return append_snapshot(out);
  }
  /// Appends what snapshot() writes to `out`: write_versioned_snapshot(snapshot_version,
  /// vector of (state name, state bytes)), each state written in place.
  [[nodiscard]] status append_snapshot(std::string& out) const {
    detail::append_cereal(out, snapshot_version,
                          cereal::make_size_tag(static_cast<cereal::size_type>(states_.size())));
    for (auto& [name, st] : states_) {
      detail::append_cereal(out, name);
      auto s = append_nested_snapshot(
          out, [&](std::string& o) { return st->snapshot(o, info_.max_parallelism); });
      if (!s) return s;
    }
    return status::ok();
  }

  /// What append_snapshot() would append now, written later (deferred_snapshot.hpp): heap
  /// states are frozen copy-on-write, byte-table states are written now.
  [[nodiscard]] expected<deferred_snapshot> freeze() const {
    std::vector<std::pair<std::string, deferred_snapshot>> parts;
    parts.reserve(states_.size());
    for (auto& [name, st] : states_) {
      auto part = st->freeze(info_.max_parallelism);
      if (!part) return part.error();
      parts.emplace_back(name, std::move(*part));
    }
    return deferred_snapshot([parts = std::move(parts)](std::string& out) mutable -> status {
      detail::append_cereal(out, snapshot_version,
                            cereal::make_size_tag(static_cast<cereal::size_type>(parts.size())));
      for (auto& [name, part] : parts) {
        detail::append_cereal(out, name);
        if (auto s = append_nested_snapshot(out, part); !s) return s;
      }
      return status::ok();
    });
  }

  /// Restores the key groups this instance owns, adding to what earlier calls restored: at
  /// another parallelism an instance gets one snapshot per old instance whose key groups
  /// overlap its own, and calls restore() once per piece. States declared before get the rows
  /// at once; the bytes of states not declared yet (a keyed process function declares them on
  /// first use) are kept, every piece's, until the state is declared.
  [[nodiscard]] status restore(std::string_view bytes) {
    std::vector<std::pair<std::string, std::string>> parts;
    if (auto s = read_versioned_snapshot(bytes, snapshot_version, "keyed state", parts); !s)
      return s;
    for (auto& part : parts) pending_.push_back(std::move(part));
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
  /// `Table` when the key and `Ts...` can be serialized, else void (such states stay on the heap).
  template <class Table, class... Ts>
  using table_if = std::conditional_t<(detail::is_cereal_serializable_v<K> && ... &&
                                       detail::is_cereal_serializable_v<Ts>),
                                      Table, void>;

  template <class I, class Heap, class Table, class... Args>
  I& get_or_create(const std::string& name, Args&&... args) {
    for (auto& [n, st] : states_)
      if (n == name) {
        if (auto* heap = dynamic_cast<Heap*>(st.get())) return *heap;
        if constexpr (!std::is_void_v<Table>)
          if (auto* table = dynamic_cast<Table*>(st.get())) return *table;
        throw std::logic_error("state '" + name + "' was declared with another type");
      }
    std::unique_ptr<detail::keyed_state_base<K>> st;
    I* ref = nullptr;
    if constexpr (!std::is_void_v<Table>) {
      if (backend_) {
        auto table = backend_->open_table(info_.uid, info_.subtask, name);
        if (!table) throw std::runtime_error(table.error().to_string());
        auto typed = std::make_unique<Table>(name, &current_, &scope_, std::move(*table),
                                             std::forward<Args>(args)...);
        ref = typed.get();
        st = std::move(typed);
      }
    }
    if (!st) {
      auto typed = std::make_unique<Heap>(&current_, std::forward<Args>(args)...);
      ref = typed.get();
      st = std::move(typed);
    }
    if (auto s = restore_pending(name, *st); !s) throw std::runtime_error(s.to_string());
    states_.emplace_back(name, std::move(st));
    return *ref;
  }

  /// Restores every pending piece of state `name` into `st` (rows are added) and forgets them.
  status restore_pending(const std::string& name, detail::keyed_state_base<K>& st) {
    const auto range = key_group_range_of(info_.subtask, info_.parallelism, info_.max_parallelism);
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->first != name) {
        ++it;
        continue;
      }
      if (auto s = st.restore(it->second, range, info_.max_parallelism); !s) return s;
      it = pending_.erase(it);
    }
    return status::ok();
  }

  operator_info info_;
  detail::current_key_slot<K> current_;
  detail::table_scope scope_;         // shared with table states
  state_backend* backend_ = nullptr;  // set by open() when states go to byte tables
  std::vector<std::pair<std::string, std::unique_ptr<detail::keyed_state_base<K>>>> states_;
  // Restored bytes of states not declared yet, by state name, one entry per piece.
  std::vector<std::pair<std::string, std::string>> pending_;
};

}  // namespace dataflow
