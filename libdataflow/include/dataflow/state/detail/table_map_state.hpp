// The byte-table map state: one table entry per (key, user key), behind the write-back cache of
// table_state_base.hpp, which keeps per key the user entries read or written so far.
// Thread-safety: owned by one operator instance.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <cereal/types/unordered_map.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include "dataflow/state/detail/table_state_base.hpp"
#include "dataflow/state/map_state.hpp"

namespace dataflow::detail {

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
