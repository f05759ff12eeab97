// A byte table: one keyed state of one operator instance in a serializing backend (RocksDB).
// Every key starts with its key group, 2 bytes big-endian, so the keys of a key-group range
// are contiguous in byte order and a range can be scanned, copied or removed as a whole:
//
//   [key group: 2 bytes big-endian][cereal(key)][cereal(user key), map state only]
//
// Hot paths must not make one backend call per element: writes go in batches (write()), point
// reads in bulk (multi_get()), and whole ranges through scan() and remove_key_groups().
// Thread-safety: a table is used by one operator instance; tables of one backend may be used
// from different threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/core/status.hpp"
#include "dataflow/graph/key_group.hpp"
#include "dataflow/state/kv_write_batch.hpp"

namespace dataflow {

/// Key groups fit in the 2-byte prefix: max_parallelism is at most this.
inline constexpr int max_key_groups = 1 << 15;

/// Appends the 2-byte big-endian prefix of `key_group` to `out`.
inline void append_key_group(std::string& out, int key_group) {
  out.push_back(static_cast<char>((key_group >> 8) & 0xff));
  out.push_back(static_cast<char>(key_group & 0xff));
}

/// The key group a table key starts with, or -1 when it is shorter than the prefix.
inline int key_group_of_table_key(std::string_view key) noexcept {
  if (key.size() < 2) return -1;
  return (static_cast<int>(static_cast<unsigned char>(key[0])) << 8) |
         static_cast<int>(static_cast<unsigned char>(key[1]));
}

class kv_table {
 public:
  /// Called with each entry; return false to stop the scan.
  using entry_fn = std::function<bool(std::string_view key, std::string_view value)>;

  virtual ~kv_table() = default;
  [[nodiscard]] virtual status put(std::string_view key, std::string_view value) = 0;
  /// Returns false when the key is absent.
  [[nodiscard]] virtual expected<bool> get(std::string_view key, std::string& value) = 0;
  [[nodiscard]] virtual status remove(std::string_view key) = 0;

  /// Applies every operation of `batch`, in order, in one atomic write.
  [[nodiscard]] virtual status write(const kv_write_batch& batch) = 0;
  /// Looks up all `keys` in one call: values[i] is empty when keys[i] is absent.
  [[nodiscard]] virtual status multi_get(std::span<const std::string_view> keys,
                                         std::vector<std::optional<std::string>>& values) = 0;
  /// Calls fn for every entry whose key group is in `groups`, in key order.
  [[nodiscard]] virtual status scan(key_group_range groups, const entry_fn& fn) = 0;
  /// Calls fn for every entry whose key starts with `prefix`, in key order.
  [[nodiscard]] virtual status scan_prefix(std::string_view prefix, const entry_fn& fn) = 0;
  /// Removes every entry whose key group is in `groups` (RocksDB: one range deletion).
  [[nodiscard]] virtual status remove_key_groups(key_group_range groups) = 0;
};

}  // namespace dataflow
