// Heap implementations of the keyed state interfaces: one swiss table (absl::flat_hash_map, about
// twice as fast as std::unordered_map on this path) per state, from the user key to a cell that
// holds the value. A handle caches the current key's cell for as long as the key does not
// change, so a get() followed by update() costs one hash lookup. Snapshots write (key group,
// key, value) entries so that restore can keep only the key groups an instance owns; a
// checkpoint freezes the cells instead and writes them on the state writer's thread, copying a
// value before it changes while the snapshot still needs it (Flink's copy-on-write heap state).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <type_traits>
#include <unordered_map>

#include <absl/container/flat_hash_map.h>
#include <utility>
#include <vector>

#include <cereal/archives/binary.hpp>
#include <cereal/types/unordered_map.hpp>
#include <cereal/types/vector.hpp>

#include "dataflow/aggregate/aggregate_function.hpp"
#include "dataflow/graph/key_group.hpp"
#include "dataflow/record/batch.hpp"
#include "dataflow/state/aggregating_state.hpp"
#include "dataflow/state/detail/cereal_bytes.hpp"
#include "dataflow/state/detail/keyed_state_base.hpp"
#include "dataflow/state/list_state.hpp"
#include "dataflow/state/map_state.hpp"
#include "dataflow/state/value_state.hpp"

namespace dataflow::detail {

/// A key's value in a heap table. The table holds one reference; each snapshot taken since
/// the value last changed holds another, and while one does the value is not changed in place
/// but copied first (copy-on-write), so a snapshot reads the value as of its barrier.
template <class K, class S>
struct heap_cell {
  heap_cell(const K& k, S v) : key(k), value(std::move(v)) {}
  std::atomic<std::uint32_t> refs{1};
  const K key;
  S value;
};

/// An owning reference to a heap_cell (intrusive: one allocation per key, and a snapshot's
/// reference costs an increment, not a control block).
template <class K, class S>
class heap_cell_ref {
 public:
  heap_cell_ref() = default;
  explicit heap_cell_ref(heap_cell<K, S>* c) noexcept : c_(c) {}
  heap_cell_ref(const heap_cell_ref& o) noexcept : c_(o.c_) {
    if (c_) c_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  heap_cell_ref(heap_cell_ref&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  heap_cell_ref& operator=(heap_cell_ref o) noexcept {
    std::swap(c_, o.c_);
    return *this;
  }
  ~heap_cell_ref() { reset(); }

  void reset() noexcept {
    // The last owner deletes; acq_rel orders every owner's reads before the delete.
    if (c_ && c_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete c_;
    c_ = nullptr;
  }
  [[nodiscard]] heap_cell<K, S>* get() const noexcept { return c_; }
  heap_cell<K, S>* operator->() const noexcept { return c_; }

 private:
  heap_cell<K, S>* c_ = nullptr;
};

/// A map from key to S with the cached-slot lookup and key-group snapshots. Values live in
/// heap cells shared with the snapshots that still read them (freeze()), so a snapshot is
/// written off the operator's thread while the operator goes on.
template <class K, class S>
class heap_table : public keyed_state_base<K> {
  using cell = heap_cell<K, S>;
  using cell_ref = heap_cell_ref<K, S>;

 public:
  explicit heap_table(const current_key_slot<K>* current) : current_(current) {}

  std::size_t entries() const noexcept override { return map_.size(); }

  void for_each_key(const std::function<void(const K&)>& fn) const override {
    for (auto& kv : map_) fn(kv.first);
  }

  status snapshot(std::string& out, int max_parallelism) const override {
    if constexpr (serializable) {
      string_append_buf buf(out);
      std::ostream os(&buf);
      cereal::BinaryOutputArchive ar(os);
      ar(cereal::make_size_tag(static_cast<cereal::size_type>(map_.size())));
      for (auto& [k, ref] : map_) write_row(ar, *ref.get(), max_parallelism);
      return status::ok();
    } else {
      (void)out;
      (void)max_parallelism;
      return not_serializable();
    }
  }

  /// Takes a reference to every cell (no value is copied now): the returned function writes
  /// what snapshot() would have written now, releasing each cell once written, and the table
  /// copies a cell before changing it while a snapshot still holds it.
  expected<deferred_snapshot> freeze(int max_parallelism) const override {
    if constexpr (serializable && std::is_copy_constructible_v<S>) {
      std::vector<cell_ref> cells;
      cells.reserve(map_.size());
      for (auto& kv : map_) cells.push_back(kv.second);
      return deferred_snapshot(
          [cells = std::move(cells), max_parallelism](std::string& out) mutable -> status {
            string_append_buf buf(out);
            std::ostream os(&buf);
            cereal::BinaryOutputArchive ar(os);
            ar(cereal::make_size_tag(static_cast<cereal::size_type>(cells.size())));
            for (auto& c : cells) {
              write_row(ar, *c.get(), max_parallelism);
              c.reset();  // the table may change this key in place again
            }
            cells.clear();
            return status::ok();
          });
    } else {
      return keyed_state_base<K>::freeze(max_parallelism);
    }
  }

  status restore(std::string_view bytes, key_group_range range, int max_parallelism) override {
    if constexpr (serializable) {
      (void)max_parallelism;
      try {
        view_read_buf buf(bytes);
        std::istream is(&buf);
        cereal::BinaryInputArchive ar(is);
        // The bytes of a std::vector<std::pair<int32, std::pair<K, S>>>, read entry by entry
        // into the map (a vector of them first held every value twice).
        cereal::size_type size = 0;
        ar(cereal::make_size_tag(size));
        // One allocation, not a rehash per doubling; capped so a corrupt size fails at the
        // end of the input rather than allocating first.
        map_.reserve(map_.size() + std::min<std::size_t>(size, std::size_t{1} << 26));
        for (cereal::size_type i = 0; i < size; ++i) {
          std::int32_t g = 0;
          K k{};
          S v{};
          ar(g, k, v);
          if (range.contains(g)) map_.insert_or_assign(k, cell_ref(new cell(k, std::move(v))));
        }
      } catch (const std::exception& e) {
        return {errc::decode_failed, std::string("keyed state: ") + e.what()};
      }
      cache_version_ = ~std::uint64_t{0};
      return status::ok();
    } else {
      (void)bytes;
      (void)range;
      (void)max_parallelism;
      return not_serializable();
    }
  }

 protected:
  /// The current key's value to read, or nullptr.
  const S* find_const() {
    if (cache_version_ != current_->version) {
      auto it = map_.find(current_->key);
      cell_ = it == map_.end() ? nullptr : it->second.get();
      cache_version_ = current_->version;
    }
    return cell_ ? &cell_->value : nullptr;
  }
  /// The current key's value to change, or nullptr: copied first while a snapshot reads it.
  S* find() {
    if (!find_const()) return nullptr;
    if constexpr (std::is_copy_constructible_v<S>) {
      // Acquire: a snapshot that let go of the cell has finished reading it.
      if (cell_->refs.load(std::memory_order_acquire) > 1) {
        auto& ref = map_.find(current_->key)->second;
        ref = cell_ref(new cell(cell_->key, cell_->value));
        cell_ = ref.get();
      }
    }
    return &cell_->value;
  }
  /// Sets the current key's value: a frozen value is replaced, not copied first.
  void assign(S value) {
    if (find_const() && cell_->refs.load(std::memory_order_acquire) > 1) {
      auto& ref = map_.find(current_->key)->second;
      ref = cell_ref(new cell(cell_->key, std::move(value)));
      cell_ = ref.get();
      return;
    }
    find_or_create() = std::move(value);
  }
  /// The current key's value to change, created when absent.
  S& find_or_create() {
    if (auto* s = find()) return *s;
    cell_ = map_.emplace(current_->key, cell_ref(new cell(current_->key, S{}))).first->second.get();
    return cell_->value;
  }
  void erase() {
    if (find_const()) map_.erase(current_->key);
    cell_ = nullptr;
    cache_version_ = current_->version;
  }

 private:
  static constexpr bool serializable = is_cereal_serializable_v<K> && is_cereal_serializable_v<S>;

  static status not_serializable() {
    return {errc::not_serializable,
            "keyed state with a key or value type that has no cereal "
            "serialize() function cannot be snapshotted"};
  }

  /// One row of a std::vector<std::pair<int32, std::pair<K, S>>> (what restore() reads):
  /// written row by row, since copying every value into such a vector first doubled the time
  /// and the memory of a checkpoint.
  static void write_row(cereal::BinaryOutputArchive& ar, const cell& c, int max_parallelism) {
    ar(static_cast<std::int32_t>(key_group_of(c.key, max_parallelism)), c.key, c.value);
  }

  const current_key_slot<K>* current_;
  absl::flat_hash_map<K, cell_ref, mixed_hash<K>> map_;
  // The current key's cell (cells do not move), trusted until the key changes (cache_version_).
  cell* cell_ = nullptr;
  std::uint64_t cache_version_ = ~std::uint64_t{0};
};

template <class K, class V>
class heap_value_state final : public heap_table<K, V>, public value_state<V> {
 public:
  using heap_table<K, V>::heap_table;
  const V* get() override { return this->find_const(); }
  void update(V value) override { this->assign(std::move(value)); }
  void clear() override { this->erase(); }
  V* get_mutable() override { return this->find(); }
  V& get_or_create() override { return this->find_or_create(); }
};

template <class K, class V>
class heap_list_state final : public heap_table<K, std::vector<V>>, public list_state<V> {
 public:
  using heap_table<K, std::vector<V>>::heap_table;
  const std::vector<V>* get() override { return this->find_const(); }
  void add(V value) override { this->find_or_create().push_back(std::move(value)); }
  void update(std::vector<V> values) override {
    if (values.empty())
      this->erase();
    else
      this->assign(std::move(values));
  }
  void clear() override { this->erase(); }
};

template <class K, class UK, class UV>
class heap_map_state final : public heap_table<K, std::unordered_map<UK, UV>>,
                             public map_state<UK, UV> {
 public:
  using heap_table<K, std::unordered_map<UK, UV>>::heap_table;
  const UV* get(const UK& uk) override {
    auto* m = this->find_const();
    if (!m) return nullptr;
    auto it = m->find(uk);
    return it == m->end() ? nullptr : &it->second;
  }
  void put(const UK& uk, UV v) override {
    this->find_or_create().insert_or_assign(uk, std::move(v));
  }
  void remove(const UK& uk) override {
    if (auto* m = this->find()) {
      m->erase(uk);
      if (m->empty()) this->erase();
    }
  }
  bool contains(const UK& uk) override { return get(uk) != nullptr; }
  void for_each(const std::function<void(const UK&, const UV&)>& fn) override {
    if (auto* m = this->find_const())
      for (auto& [k, v] : *m) fn(k, v);
  }
  bool is_empty() override { return this->find_const() == nullptr; }
  void clear() override { this->erase(); }
};

template <class K, class In, class Acc, class Out>
class heap_aggregating_state final : public heap_table<K, Acc>, public aggregating_state<In, Out> {
 public:
  heap_aggregating_state(const current_key_slot<K>* current,
                         std::shared_ptr<const aggregate_function<In, Acc, Out>> fn)
      : heap_table<K, Acc>(current), fn_(std::move(fn)) {}
  void add(const In& value) override {
    auto* acc = this->find();
    if (!acc) {
      acc = &this->find_or_create();
      *acc = fn_->create();
    }
    fn_->add(*acc, value);
  }
  std::optional<Out> get() override {
    auto* acc = this->find_const();
    return acc ? std::optional<Out>(fn_->result(*acc)) : std::nullopt;
  }
  void clear() override { this->erase(); }

 private:
  std::shared_ptr<const aggregate_function<In, Acc, Out>> fn_;
};

}  // namespace dataflow::detail
