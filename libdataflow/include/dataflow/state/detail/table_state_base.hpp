// The part common to the byte-table states (table_state.hpp, table_map_state.hpp), for
// backends that do not keep objects (RocksDB): a write-back cache in front of a kv_table, its
// eviction, and scans of the instance's key groups. A table key is [key group][cereal(key)]
// (map state: + cereal(user key)); a value is cereal(value / list / accumulator / user value).
//
// The cache is a hash map from key to the decoded value and a dirty flag, so that a hot key
// costs one table read when it is first touched and one write when it is written back, however
// often it changes in between. It holds at most table_scope::cache_entries keys; when full it
// drops half of them, chosen among the least recently used three quarters: clean entries first
// (dropping them costs nothing now), then the oldest dirty ones, written in one batch. Recently
// used dirty entries stay, so a hot key is not rewritten at every eviction. Entries touched
// since the last key change are never dropped, so pointers handed out for the current key stay
// valid until the key changes (as with the heap states). flush() writes every dirty entry in
// one batch.
//
// State handles cannot return a status: a failed table read or write throws
// std::runtime_error naming the state, which the task turns into a failed job like any
// exception from user code. Thread-safety: owned by one operator instance.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dataflow/core/status.hpp"
#include "dataflow/graph/key_group.hpp"
#include "dataflow/state/detail/cereal_bytes.hpp"
#include "dataflow/state/detail/keyed_state_base.hpp"
#include "dataflow/state/kv_table.hpp"
#include "dataflow/state/kv_write_batch.hpp"

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

}  // namespace dataflow::detail
