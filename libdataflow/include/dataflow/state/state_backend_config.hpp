// Which state backend a job uses, as `dataflow run --state-backend` and the `state:` section of
// pipeline files say it. make_state_backend() opens it: memory, or RocksDB in a fresh working
// directory of its own under `directory`, removed when the backend closes. A fresh directory
// per run matters: a database left by an earlier run of the same job would add its keys to
// what a restore brings back.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "dataflow/core/status.hpp"
#include "dataflow/state/state_backend.hpp"

namespace dataflow {

struct state_backend_config {
  /// "memory" (the default) or "rocksdb".
  std::string kind = "memory";
  /// RocksDB: where its working directory goes; empty means the system's temporary directory.
  std::string directory;
  /// RocksDB: keys each keyed state keeps decoded in its write-back cache; 0 keeps the default
  /// (rocksdb_options::state_cache_entries).
  std::size_t cache_entries = 0;
};

/// Opens the backend `config` names. errc::invalid_configuration for an unknown kind,
/// errc::io_error when the directory cannot be made; both messages name the directory or the kind.
expected<std::shared_ptr<state_backend>> make_state_backend(const state_backend_config& config);

}  // namespace dataflow
