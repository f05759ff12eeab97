// Where keyed state lives. The memory backend keeps typed objects in hash maps and serializes
// them only for snapshots. A serializing backend (RocksDB, #6) offers byte tables whose keys
// start with the key group, so a range of key groups can be moved when parallelism changes.
// Today only the memory backend exists and keyed_state_store always keeps objects on the
// heap; the RocksDB backend (#6) will make it pick byte-table states when !keeps_objects().
// Thread-safety: a backend is shared by the instances of a job; tables are per instance.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dataflow/core/status.hpp"

namespace dataflow {

/// A byte-oriented table of one state of one operator instance (for serializing backends).
/// Keys are [key group: 2 bytes big-endian][serialized key][serialized namespace].
class kv_table {
 public:
  virtual ~kv_table() = default;
  [[nodiscard]] virtual status put(std::string_view key, std::string_view value) = 0;
  /// Returns false when the key is absent.
  [[nodiscard]] virtual expected<bool> get(std::string_view key, std::string& value) = 0;
  [[nodiscard]] virtual status remove(std::string_view key) = 0;
};

class state_backend {
 public:
  virtual ~state_backend() = default;
  /// "memory" or "rocksdb".
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// True when state is kept as typed objects on the heap (no byte tables).
  [[nodiscard]] virtual bool keeps_objects() const noexcept = 0;
  /// Opens the byte table for one state of one operator instance (serializing backends only).
  [[nodiscard]] virtual expected<std::unique_ptr<kv_table>> open_table(
      std::string_view operator_uid, int subtask, std::string_view state_name);
};

/// Keeps keyed state in hash maps of typed objects. The default.
class memory_state_backend final : public state_backend {
 public:
  std::string_view name() const noexcept override { return "memory"; }
  bool keeps_objects() const noexcept override { return true; }
};

/// The backend a job uses when none is chosen.
std::shared_ptr<state_backend> make_memory_state_backend();

}  // namespace dataflow
