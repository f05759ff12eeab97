// Byte-table implementations of the keyed state interfaces, for backends that do not keep
// objects (RocksDB). A table key is [key group][cereal(key)] (map state: + cereal(user key)); a
// value is cereal(value / list / accumulator / user value).
//
// In front of each table sits a write-back cache: a hash map from key to the decoded value and
// a dirty flag, so that a hot key costs one table read when it is first touched and one write
// when it is written back, however often it changes in between. The cache holds at most
// table_scope::cache_entries keys; when full it drops half of them, chosen among the least
// recently used three quarters: clean entries first (dropping them costs nothing now), then the
// oldest dirty ones, written in one batch. Recently used dirty entries stay, so a hot key is
// not rewritten at every eviction. Entries touched since the last key change are never dropped,
// so pointers handed out for the current key stay valid until the key changes (as with the heap
// states). flush() writes every dirty entry in one batch.
//
// State handles cannot return a status: a failed table read or write throws
// std::runtime_error naming the state, which the task turns into a failed job like any
// exception from user code. Thread-safety: owned by one operator instance.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <cereal/types/unordered_map.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include "dataflow/aggregate/aggregate_function.hpp"
#include "dataflow/graph/key_group.hpp"
#include "dataflow/state/aggregating_state.hpp"
#include "dataflow/state/detail/cereal_bytes.hpp"
#include "dataflow/state/detail/keyed_state_base.hpp"
#include "dataflow/state/kv_table.hpp"
#include "dataflow/state/list_state.hpp"
#include "dataflow/state/map_state.hpp"
#include "dataflow/state/value_state.hpp"

namespace dataflow::detail {

/// What the table states of one store share: the instance's key groups and the cache bound.
struct table_scope {
  int max_parallelism = default_max_parallelism;
  key_group_range owned{0, default_max_parallelism - 1};
  std::size_t cache_entries = 65536;
};

/// One write of a write-back, collected so that a batch can be sorted before it is applied.
struct table_write {
  kv_write_batch::op op = kv_write_batch::op::put;
  std::string key, value;  // short keys and values stay in the strings' inline buffers
};

/// The cache, write-back and key scans common to all table states. `Entry` has the members
/// `bool dirty` and `std::uint64_t used`.
template <class K, class Entry>
class table_state_base : public keyed_state_base<K> {
 public:
  table_state_base(std::string name, const current_key_slot<K>* current, const table_scope* scope,
                   std::unique_ptr<kv_table> table)
      : name_(std::move(name)), current_(current), scope_(scope), table_(std::move(table)) {}

  std::size_t entries() const noexcept override {
    std::size_t n = 0;
    try {
      for_each_key([&](const K&) { ++n; });
    } catch (const std::exception&) {
      // A metric: report what could be counted.
    }
    return n;
  }

  void for_each_key(const std::function<void(const K&)>& fn) const override {
    if (auto s = flush_from_const(); !s) fail(s);
    std::string last_prefix;
    auto s = table_->scan(scope_->owned, [&](std::string_view key, std::string_view) {
      K k{};
      auto n = read_cereal(key.substr(2), k);
      auto prefix = key.substr(0, 2 + n);
      if (prefix != last_prefix) {  // map state: one key has many entries, next to each other
        last_prefix.assign(prefix);
        fn(k);
      }
      return true;
    });
    if (!s) fail(s);
  }

  status flush() override {
    writes_.clear();
    for (auto& [k, e] : cache_)
      if (e.dirty) append_writes(k, e, writes_);
    if (auto s = write_sorted(); !s) return s;
    for (auto& [k, e] : cache_)
      if (e.dirty) mark_written(e);
    return status::ok();
  }

 protected:
  /// Adds the writes that store `e` (dirty) to `out`.
  virtual void append_writes(const K& key, Entry& e, std::vector<table_write>& out) = 0;
  /// `e` was written: it is clean now.
  virtual void mark_written(Entry& e) = 0;

  /// The current key's entry when cached, else nullptr.
  Entry* cached() {
    if (slot_version_ != current_->version) {
      auto it = cache_.find(current_->key);
      slot_ = it == cache_.end() ? nullptr : &it->second;
      slot_version_ = current_->version;
      if (slot_) slot_->used = slot_version_;
    }
    return slot_;
  }

  /// Caches `e` as the current key's entry (which must not be cached), making room first.
  Entry& insert(Entry e) {
    if (cache_.size() >= std::max<std::size_t>(scope_->cache_entries, 1)) evict();
    e.used = current_->version;
    slot_ = &cache_.insert_or_assign(current_->key, std::move(e)).first->second;
    slot_version_ = current_->version;
    return *slot_;
  }

  /// Forgets every cached entry (after flush(): dirty ones would be lost).
  void drop_cache() {
    cache_.clear();
    slot_ = nullptr;
    slot_version_ = ~std::uint64_t{0};
  }

  /// [key group][cereal(key)] of `key`.
  void key_prefix(const K& key, std::string& out) const {
    out.clear();
    append_key_group(out, key_group_of(key, scope_->max_parallelism));
    append_cereal(out, key);
  }

  status flush_from_const() const {
    // Writing back changes where the data lives, not what the state holds; the stores that own
    // states are never const objects.
    return const_cast<table_state_base*>(this)->flush();
  }

  std::string context() const { return "keyed state '" + name_ + "': "; }
  [[noreturn]] void fail(const status& s) const {
    throw std::runtime_error(s.message().starts_with(context()) ? s.message()
                                                                : context() + s.message());
  }

  /// Decodes `bytes` into `v`, throwing a runtime_error that names the state on bad bytes.
  template <class T>
  void decode(std::string_view bytes, T& v) const {
    try {
      read_cereal(bytes, v);
    } catch (const std::exception& e) {
      fail({errc::decode_failed, std::string("cannot decode a stored value: ") + e.what()});
    }
  }

  std::string name_;
  const current_key_slot<K>* current_;
  const table_scope* scope_;
  std::unique_ptr<kv_table> table_;
  std::string key_buf_, value_buf_;  // scratch, reused

 private:
  /// Drops about half the entries: from the least recently used three quarters, clean ones
  /// first, then the oldest dirty ones, which are written in one batch before they go.
  void evict() {
    const auto now = current_->version;
    using iterator = typename decltype(cache_)::iterator;
    std::vector<iterator> victims;  // erasing one entry leaves the other iterators valid
    victims.reserve(cache_.size());
    for (auto it = cache_.begin(); it != cache_.end(); ++it)
      if (it->second.used != now) victims.push_back(it);
    const std::size_t target = std::max<std::size_t>(cache_.size() / 2, 1);
    if (victims.size() > target) {
      auto older = [](iterator a, iterator b) { return a->second.used < b->second.used; };
      auto window = std::max(target, victims.size() * 3 / 4);
      if (window < victims.size()) {
        std::nth_element(victims.begin(), victims.begin() + static_cast<std::ptrdiff_t>(window),
                         victims.end(), older);
        victims.resize(window);
      }
      auto dirty = std::partition(victims.begin(), victims.end(),
                                  [](iterator it) { return !it->second.dirty; });
      auto clean = static_cast<std::size_t>(dirty - victims.begin());
      if (clean > target) {
        std::nth_element(victims.begin(), victims.begin() + static_cast<std::ptrdiff_t>(target),
                         dirty, older);
      } else if (clean < target) {
        auto need = static_cast<std::ptrdiff_t>(target - clean);
        std::nth_element(dirty, dirty + need, victims.end(), older);
      }
      victims.resize(target);
    }
    writes_.clear();
    for (auto it : victims)
      if (it->second.dirty) append_writes(it->first, it->second, writes_);
    if (auto s = write_sorted(); !s) fail(s);
    for (auto it : victims) cache_.erase(it);
  }

  /// Applies writes_ in one batch, in key order: RocksDB's memtable (a skip list) inserts
  /// ascending keys several times faster than random ones. Reordering is safe because one
  /// entry's keys never fall under another entry's prefix (cereal encodings are prefix-free),
  /// and a stable sort keeps a map entry's prefix removal before the puts under it.
  status write_sorted() {
    if (writes_.empty()) return status::ok();
    std::stable_sort(writes_.begin(), writes_.end(),
                     [](const table_write& a, const table_write& b) { return a.key < b.key; });
    kv_write_batch batch;
    for (auto& w : writes_) {
      switch (w.op) {
        case kv_write_batch::op::put:
          batch.put(w.key, w.value);
          break;
        case kv_write_batch::op::remove:
          batch.remove(w.key);
          break;
        case kv_write_batch::op::remove_prefix:
          batch.remove_prefix(w.key);
          break;
      }
    }
    writes_.clear();
    if (auto s = table_->write(batch); !s) return {s.code(), context() + s.message()};
    return status::ok();
  }

  std::vector<table_write> writes_;  // scratch of flush() and evict()

  // Node-based: entries (and pointers handed out into them) stay put when the map grows.
  std::unordered_map<K, Entry, mixed_hash<K>> cache_;
  Entry* slot_ = nullptr;
  std::uint64_t slot_version_ = ~std::uint64_t{0};
};

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
    out.clear();
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

/// An entry of a map state: the user entries read or written so far.
template <class UK, class UV>
struct table_map_entry {
  struct item {
    std::optional<UV> value;  // empty: known to be absent
    bool dirty = false;
  };
  std::unordered_map<UK, item> items;
  bool complete = false;  // items holds every user key of this key
  bool cleared = false;   // the stored user entries go before the dirty items are written
  bool dirty = false;
  std::uint64_t used = 0;
};

/// One table entry per (key, user key), so a get() or put() of one user key reads or writes
/// that entry alone; for_each() and is_empty() read the key's entries with one prefix scan.
template <class K, class UK, class UV>
class table_map_state final : public table_state_base<K, table_map_entry<UK, UV>>,
                              public map_state<UK, UV> {
  using entry = table_map_entry<UK, UV>;
  using base = table_state_base<K, entry>;

 public:
  using base::base;

  const UV* get(const UK& uk) override {
    auto& e = current();
    if (auto it = e.items.find(uk); it != e.items.end())
      return it->second.value ? &*it->second.value : nullptr;
    if (e.complete) return nullptr;
    user_key(uk, this->key_buf_);
    auto found = this->table_->get(this->key_buf_, this->value_buf_);
    if (!found) this->fail(found.error());
    typename entry::item item;
    if (*found) this->decode(this->value_buf_, item.value.emplace());
    auto& stored = e.items.emplace(uk, std::move(item)).first->second;
    return stored.value ? &*stored.value : nullptr;
  }
  void put(const UK& uk, UV v) override {
    auto& e = current();
    e.items.insert_or_assign(uk, typename entry::item{std::move(v), true});
    e.dirty = true;
  }
  void remove(const UK& uk) override {
    auto& e = current();
    e.items.insert_or_assign(uk, typename entry::item{std::nullopt, true});
    e.dirty = true;
  }
  bool contains(const UK& uk) override { return get(uk) != nullptr; }
  void for_each(const std::function<void(const UK&, const UV&)>& fn) override {
    auto& e = complete();
    for (auto& [uk, item] : e.items)
      if (item.value) fn(uk, *item.value);
  }
  bool is_empty() override {
    auto& e = current();
    for (auto& [uk, item] : e.items)
      if (item.value) return false;
    if (e.complete) return true;
    for (auto& [uk, item] : complete().items)
      if (item.value) return false;
    return true;
  }
  void clear() override {
    auto& e = current();
    e.items.clear();
    e.complete = true;
    e.cleared = true;
    e.dirty = true;
  }

  status snapshot(std::string& out, int) const override {
    if (auto s = this->flush_from_const(); !s) return s;
    std::vector<std::pair<std::int32_t, std::pair<K, std::unordered_map<UK, UV>>>> rows;
    std::string last_prefix;
    try {
      auto s = this->table_->scan(this->scope_->owned, [&](std::string_view k, std::string_view v) {
        K key{};
        auto n = read_cereal(k.substr(2), key);
        if (rows.empty() || k.substr(0, 2 + n) != last_prefix) {
          last_prefix.assign(k.substr(0, 2 + n));
          rows.push_back({key_group_of_table_key(k), {std::move(key), {}}});
        }
        UK uk{};
        UV uv{};
        read_cereal(k.substr(2 + n), uk);
        read_cereal(v, uv);
        rows.back().second.second.insert_or_assign(std::move(uk), std::move(uv));
        return true;
      });
      if (!s) return {s.code(), this->context() + s.message()};
    } catch (const std::exception& e) {
      return {errc::decode_failed, this->context() + e.what()};
    }
    out.clear();
    append_cereal(out, rows);  // the heap state's format
    return status::ok();
  }

  /// Adds the user entries of each key in range; a key's entries already stored stay unless
  /// overwritten (restore into an empty table, as a fresh instance does).
  status restore(std::string_view bytes, key_group_range range, int) override {
    if (auto s = this->flush(); !s) return s;
    this->drop_cache();
    std::vector<std::pair<std::int32_t, std::pair<K, std::unordered_map<UK, UV>>>> rows;
    try {
      read_cereal(bytes, rows);
    } catch (const std::exception& e) {
      return {errc::decode_failed, this->context() + e.what()};
    }
    kv_write_batch batch;
    std::string prefix;
    for (auto& [g, kv] : rows) {
      if (!range.contains(g)) continue;
      this->key_prefix(kv.first, prefix);
      for (auto& [uk, uv] : kv.second) {
        this->key_buf_ = prefix;
        append_cereal(this->key_buf_, uk);
        this->value_buf_.clear();
        append_cereal(this->value_buf_, uv);
        batch.put(this->key_buf_, this->value_buf_);
      }
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
  void append_writes(const K& key, entry& e, std::vector<table_write>& out) override {
    std::string prefix;
    this->key_prefix(key, prefix);
    if (e.cleared) out.push_back({kv_write_batch::op::remove_prefix, prefix, {}});
    for (auto& [uk, item] : e.items) {
      if (!item.dirty || (!item.value && e.cleared)) continue;
      auto& w = out.emplace_back();
      w.key = prefix;
      append_cereal(w.key, uk);
      if (item.value)
        append_cereal(w.value, *item.value);
      else
        w.op = kv_write_batch::op::remove;
    }
  }
  void mark_written(entry& e) override {
    e.dirty = false;
    e.cleared = false;
    for (auto& [uk, item] : e.items) item.dirty = false;
  }

 private:
  /// The current key's entry; a new one knows nothing yet, so it needs no read.
  entry& current() {
    if (auto* e = this->cached()) return *e;
    return this->insert(entry{});
  }
  /// The same, with every stored user entry read (one prefix scan, once per caching).
  entry& complete() {
    auto& e = current();
    if (e.complete) return e;
    std::string prefix;
    this->key_prefix(this->current_->key, prefix);
    auto s = this->table_->scan_prefix(prefix, [&](std::string_view k, std::string_view v) {
      UK uk{};
      this->decode(k.substr(prefix.size()), uk);
      if (!e.items.contains(uk)) {  // cached items are newer than the table
        typename entry::item item;
        this->decode(v, item.value.emplace());
        e.items.emplace(std::move(uk), std::move(item));
      }
      return true;
    });
    if (!s) this->fail(s);
    e.complete = true;
    return e;
  }
  /// [key group][cereal(current key)][cereal(uk)].
  void user_key(const UK& uk, std::string& out) const {
    this->key_prefix(this->current_->key, out);
    append_cereal(out, uk);
  }
};

}  // namespace dataflow::detail
