// Heap implementations of the keyed state interfaces: one swiss table (absl::flat_hash_map, about
// twice as fast as std::unordered_map on this path) per state, keyed by the user key. A handle
// caches the current key's slot for as long as the key does not change, so a get() followed by
// update() costs one hash lookup. Snapshots write (key group, key, value) entries so that restore
// can keep only the key groups an instance owns.
#pragma once

#include <algorithm>
#include <functional>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
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

/// A map from key to S with the cached-slot lookup and key-group snapshots.
template <class K, class S>
class heap_table : public keyed_state_base<K> {
 public:
  explicit heap_table(const current_key_slot<K>* current) : current_(current) {}

  std::size_t entries() const noexcept override { return map_.size(); }

  void for_each_key(const std::function<void(const K&)>& fn) const override {
    for (auto& kv : map_) fn(kv.first);
  }

  status snapshot(std::string& out, int max_parallelism) const override {
    if constexpr (is_cereal_serializable_v<K> && is_cereal_serializable_v<S>) {
      // The bytes of a std::vector<std::pair<int32, std::pair<K, S>>> (what restore() reads),
      // written entry by entry: copying every value into such a vector first doubled the time
      // and the memory of a checkpoint.
      string_append_buf buf(out);
      std::ostream os(&buf);
      {
        cereal::BinaryOutputArchive ar(os);
        ar(cereal::make_size_tag(static_cast<cereal::size_type>(map_.size())));
        for (auto& [k, v] : map_)
          ar(static_cast<std::int32_t>(key_group_of(k, max_parallelism)), k, v);
      }
      return status::ok();
    } else {
      (void)out;
      (void)max_parallelism;
      return {errc::not_serializable,
              "keyed state with a key or value type that has no cereal "
              "serialize() function cannot be snapshotted"};
    }
  }

  status restore(std::string_view bytes, key_group_range range, int max_parallelism) override {
    if constexpr (is_cereal_serializable_v<K> && is_cereal_serializable_v<S>) {
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
          if (range.contains(g)) map_.insert_or_assign(std::move(k), std::move(v));
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
      return {errc::not_serializable, "keyed state type is not serializable"};
    }
  }

 protected:
  /// The current key's slot, or nullptr.
  S* find() {
    if (cache_version_ != current_->version) {
      auto it = map_.find(current_->key);
      slot_ = it == map_.end() ? nullptr : &it->second;
      cache_version_ = current_->version;
    }
    return slot_;
  }
  /// The current key's slot, created when absent.
  S& find_or_create() {
    if (auto* s = find()) return *s;
    slot_ = &map_.try_emplace(current_->key).first->second;
    return *slot_;
  }
  void erase() {
    if (find()) map_.erase(current_->key);
    slot_ = nullptr;
    cache_version_ = current_->version;
  }

 private:
  const current_key_slot<K>* current_;
  // Slots move on rehash: slot_ is only trusted until the key changes (cache_version_).
  absl::flat_hash_map<K, S, mixed_hash<K>> map_;
  S* slot_ = nullptr;
  std::uint64_t cache_version_ = ~std::uint64_t{0};
};

template <class K, class V>
class heap_value_state final : public heap_table<K, V>, public value_state<V> {
 public:
  using heap_table<K, V>::heap_table;
  const V* get() override { return this->find(); }
  void update(V value) override { this->find_or_create() = std::move(value); }
  void clear() override { this->erase(); }
  V* get_mutable() override { return this->find(); }
  V& get_or_create() override { return this->find_or_create(); }
};

template <class K, class V>
class heap_list_state final : public heap_table<K, std::vector<V>>, public list_state<V> {
 public:
  using heap_table<K, std::vector<V>>::heap_table;
  const std::vector<V>* get() override { return this->find(); }
  void add(V value) override { this->find_or_create().push_back(std::move(value)); }
  void update(std::vector<V> values) override {
    if (values.empty())
      this->erase();
    else
      this->find_or_create() = std::move(values);
  }
  void clear() override { this->erase(); }
};

template <class K, class UK, class UV>
class heap_map_state final : public heap_table<K, std::unordered_map<UK, UV>>,
                             public map_state<UK, UV> {
 public:
  using heap_table<K, std::unordered_map<UK, UV>>::heap_table;
  const UV* get(const UK& uk) override {
    auto* m = this->find();
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
    if (auto* m = this->find())
      for (auto& [k, v] : *m) fn(k, v);
  }
  bool is_empty() override { return this->find() == nullptr; }
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
    auto* acc = this->find();
    return acc ? std::optional<Out>(fn_->result(*acc)) : std::nullopt;
  }
  void clear() override { this->erase(); }

 private:
  std::shared_ptr<const aggregate_function<In, Acc, Out>> fn_;
};

}  // namespace dataflow::detail
