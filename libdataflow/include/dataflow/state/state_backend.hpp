// Where keyed state lives. The memory backend keeps typed objects in hash maps and serializes
// them only for snapshots. A serializing backend (RocksDB, rocksdb_state_backend.hpp) offers
// byte tables (kv_table.hpp) whose keys start with the key group, so a range of key groups can
// be moved when parallelism changes; keyed_state_store picks byte-table states when the
// backend it is opened with does not keep objects.
// Thread-safety: a backend is shared by the instances of a job and may be called from their
// threads at once; tables are per instance.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "dataflow/core/status.hpp"
#include "dataflow/state/kv_table.hpp"

namespace dataflow {

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
  /// Serializing backends: how many keys each keyed state keeps decoded in its write-back
  /// cache (keyed_state_store). 0 for backends that keep objects.
  [[nodiscard]] virtual std::size_t state_cache_entries() const noexcept { return 0; }
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
