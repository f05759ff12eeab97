// Byte-table value, list and aggregating states: one stored value per key (the value, the
// whole list, the accumulator), behind the write-back cache of table_state_base.hpp.
// Thread-safety: owned by one operator instance.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include "dataflow/aggregate/aggregate_function.hpp"
#include "dataflow/state/aggregating_state.hpp"
#include "dataflow/state/detail/table_state_base.hpp"
#include "dataflow/state/list_state.hpp"
#include "dataflow/state/value_state.hpp"

namespace dataflow::detail {

/// An entry of a value-like state: the value (empty: known to be absent) and its flags.
template <class S>
struct table_entry {
  std::optional<S> value;
  bool dirty = false;
  std::uint64_t used = 0;
};

/// One stored S per key: value, list and aggregating states.
template <class K, class S>
class table_state : public table_state_base<K, table_entry<S>> {
  using base = table_state_base<K, table_entry<S>>;
  using entry = table_entry<S>;

 public:
  using base::base;

  status snapshot(std::string& out, int /*max_parallelism: the stored key groups*/) const override {
    if (auto s = this->flush_from_const(); !s) return s;
    std::vector<std::pair<std::int32_t, std::pair<K, S>>> rows;
    try {
      auto s = this->table_->scan(this->scope_->owned, [&](std::string_view k, std::string_view v) {
        auto& row = rows.emplace_back();
        row.first = key_group_of_table_key(k);
        read_cereal(k.substr(2), row.second.first);
        read_cereal(v, row.second.second);
        return true;
      });
      if (!s) return {s.code(), this->context() + s.message()};
    } catch (const std::exception& e) {
      return {errc::decode_failed, this->context() + e.what()};
    }
    append_cereal(out, rows);  // the heap states' format
    return status::ok();
  }

  status restore(std::string_view bytes, key_group_range range, int) override {
    if (auto s = this->flush(); !s) return s;
    this->drop_cache();
    std::vector<std::pair<std::int32_t, std::pair<K, S>>> rows;
    try {
      read_cereal(bytes, rows);
    } catch (const std::exception& e) {
      return {errc::decode_failed, this->context() + e.what()};
    }
    kv_write_batch batch;
    for (auto& [g, kv] : rows) {
      if (!range.contains(g)) continue;
      this->key_prefix(kv.first, this->key_buf_);
      this->value_buf_.clear();
      append_cereal(this->value_buf_, kv.second);
      batch.put(this->key_buf_, this->value_buf_);
      if (batch.bytes() >= (std::size_t{4} << 20)) {
        if (auto s = this->table_->write(batch); !s)
          return {s.code(), this->context() + s.message()};
        batch.clear();
      }
    }
    if (auto s = this->table_->write(batch); !s) return {s.code(), this->context() + s.message()};
    return status::ok();
  }

 protected:
  /// The current key's value, or nullptr (read from the table on a cache miss).
  S* find() {
    auto& e = loaded();
    return e.value ? &*e.value : nullptr;
  }
  /// The same, for changes in place: the entry becomes dirty.
  S* find_mutable() {
    auto& e = loaded();
    if (!e.value) return nullptr;
    e.dirty = true;
    return &*e.value;
  }
  /// The current key's value, value-initialized when absent; the entry becomes dirty.
  S& find_or_create() {
    auto& e = loaded();
    if (!e.value) e.value.emplace();
    e.dirty = true;
    return *e.value;
  }
  /// Replaces the value without reading the old one.
  void assign(S v) {
    if (auto* e = this->cached()) {
      e->value = std::move(v);
      e->dirty = true;
    } else {
      this->insert(entry{std::move(v), true});
    }
  }
  /// Removes the value without reading it.
  void erase() {
    if (auto* e = this->cached()) {
      if (e->value) {
        e->value.reset();
        e->dirty = true;
      }
    } else {
      this->insert(entry{std::nullopt, true});
    }
  }

  void append_writes(const K& key, entry& e, std::vector<table_write>& out) override {
    auto& w = out.emplace_back();
    this->key_prefix(key, w.key);
    if (e.value)
      append_cereal(w.value, *e.value);
    else
      w.op = kv_write_batch::op::remove;
  }
  void mark_written(entry& e) override { e.dirty = false; }

 private:
  entry& loaded() {
    if (auto* e = this->cached()) return *e;
    this->key_prefix(this->current_->key, this->key_buf_);
    auto found = this->table_->get(this->key_buf_, this->value_buf_);
    if (!found) this->fail(found.error());
    entry e;
    if (*found) this->decode(this->value_buf_, e.value.emplace());
    return this->insert(std::move(e));
  }
};

template <class K, class V>
class table_value_state final : public table_state<K, V>, public value_state<V> {
 public:
  using table_state<K, V>::table_state;
  const V* get() override { return this->find(); }
  void update(V value) override { this->assign(std::move(value)); }
  void clear() override { this->erase(); }
  V* get_mutable() override { return this->find_mutable(); }
  V& get_or_create() override { return this->find_or_create(); }
};

template <class K, class V>
class table_list_state final : public table_state<K, std::vector<V>>, public list_state<V> {
 public:
  using table_state<K, std::vector<V>>::table_state;
  const std::vector<V>* get() override { return this->find(); }
  void add(V value) override { this->find_or_create().push_back(std::move(value)); }
  void update(std::vector<V> values) override {
    if (values.empty())
      this->erase();
    else
      this->assign(std::move(values));
  }
  void clear() override { this->erase(); }
};

template <class K, class In, class Acc, class Out>
class table_aggregating_state final : public table_state<K, Acc>,
                                      public aggregating_state<In, Out> {
 public:
  table_aggregating_state(std::string name, const current_key_slot<K>* current,
                          const table_scope* scope, std::unique_ptr<kv_table> table,
                          std::shared_ptr<const aggregate_function<In, Acc, Out>> fn)
      : table_state<K, Acc>(std::move(name), current, scope, std::move(table)),
        fn_(std::move(fn)) {}
  void add(const In& value) override {
    auto* acc = this->find_mutable();
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
