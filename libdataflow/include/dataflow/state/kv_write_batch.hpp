// Puts and removes on one kv_table, collected so that the table applies them in one write
// (RocksDB: one WriteBatch, one DB::Write), in the order they were added. Operations are
// appended to one buffer, so collecting many costs no allocation per operation.
//
//   kv_write_batch b;
//   b.put(key, value);
//   b.remove(other_key);
//   if (auto s = table.write(b); !s) return s;
//
// Thread-safety: a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dataflow {

class kv_write_batch {
 public:
  enum class op : std::uint8_t {
    put,
    remove,
    /// Removes every key that starts with the given prefix.
    remove_prefix,
  };

  void put(std::string_view key, std::string_view value) { append(op::put, key, value); }
  void remove(std::string_view key) { append(op::remove, key, {}); }
  void remove_prefix(std::string_view prefix) { append(op::remove_prefix, prefix, {}); }

  /// Operations added.
  [[nodiscard]] std::size_t size() const noexcept { return count_; }
  [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
  /// Bytes of keys and values (and a few per operation): for splitting large batches.
  [[nodiscard]] std::size_t bytes() const noexcept { return buf_.size(); }
  void clear() noexcept {
    buf_.clear();
    count_ = 0;
  }

  /// Calls fn(op, key, value) for every operation in order (value is empty but for puts).
  template <class F>
  void for_each(F&& fn) const {
    std::size_t pos = 0;
    while (pos < buf_.size()) {
      auto kind = static_cast<op>(buf_[pos++]);
      auto key_len = read_length(pos);
      auto value_len = read_length(pos);
      std::string_view key(buf_.data() + pos, key_len);
      pos += key_len;
      std::string_view value(buf_.data() + pos, value_len);
      pos += value_len;
      fn(kind, key, value);
    }
  }

 private:
  void append(op kind, std::string_view key, std::string_view value) {
    buf_.push_back(static_cast<char>(kind));
    write_length(key.size());
    write_length(value.size());
    buf_.append(key);
    buf_.append(value);
    ++count_;
  }
  // Lengths as base-128 varints (LEB128).
  void write_length(std::size_t n) {
    while (n >= 0x80) {
      buf_.push_back(static_cast<char>((n & 0x7f) | 0x80));
      n >>= 7;
    }
    buf_.push_back(static_cast<char>(n));
  }
  std::size_t read_length(std::size_t& pos) const {
    std::size_t n = 0;
    for (int shift = 0;; shift += 7) {
      auto b = static_cast<std::uint8_t>(buf_[pos++]);
      n |= static_cast<std::size_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return n;
    }
  }

  std::string buf_;
  std::size_t count_ = 0;
};

}  // namespace dataflow
