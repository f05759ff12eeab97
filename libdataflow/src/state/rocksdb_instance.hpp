// Private to the RocksDB backend's sources (rocksdb_state_backend.cpp: the database and its
// tables; rocksdb_checkpoint.cpp: native checkpoints): the database object the backend and its
// tables share, and helpers for keys and errors. Never installed.
// Thread-safety: see rocksdb_state_backend.hpp; `families` is guarded by `mu`.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>

#include "dataflow/state/rocksdb_state_backend.hpp"

namespace dataflow {

namespace rocksdb_detail {

inline rocksdb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}
inline std::string_view view(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

/// The keys of key groups [first, last] are [lower, upper) in byte order.
struct key_bounds {
  std::string lower, upper;
  bool empty = false;
};

inline key_bounds bounds_of(key_group_range groups) {
  key_bounds b;
  int first = std::max(groups.first, 0);
  int last = std::min(groups.last, max_key_groups - 1);
  b.empty = first > last;
  append_key_group(b.lower, first);
  append_key_group(b.upper, last + 1);  // last + 1 <= 2^15 still fits in 2 bytes
  return b;
}

/// The smallest key above every key that starts with `prefix`, or empty when there is none.
inline std::string prefix_successor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xff) s.pop_back();
  if (!s.empty()) s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
  return s;
}

inline errc code_of(const rocksdb::Status& s) {
  if (s.IsCorruption()) return errc::decode_failed;
  if (s.IsInvalidArgument() || s.IsNotSupported()) return errc::invalid_configuration;
  return errc::io_error;
}

}  // namespace rocksdb_detail

/// The database, shared by the backend object and every table it opened (the last one to go
/// closes it).
struct rocksdb_state_backend::impl {
  std::string dir;
  rocksdb_options options;
  rocksdb::DBOptions db_options;
  rocksdb::ColumnFamilyOptions cf_options;
  rocksdb::WriteOptions write_options;
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* default_family = nullptr;
  mutable std::mutex mu;  // guards `families` and the creation of column families
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families;

  /// Options only; rocksdb_state_backend::open opens the database.
  impl(std::string dir, rocksdb_options options);
  ~impl();

  /// "rocksdb state backend '<dir>', column family '<family>': <what>: <RocksDB's status>".
  [[nodiscard]] status error(const rocksdb::Status& s, std::string_view family,
                             std::string_view what) const;
  /// The handle of column family `name`, created when absent.
  [[nodiscard]] expected<rocksdb::ColumnFamilyHandle*> family(const std::string& name);
};

}  // namespace dataflow
