#include "dataflow/state/state_backend_config.hpp"

#include <atomic>
#include <filesystem>
#include <system_error>

#include <unistd.h>

#include "dataflow/state/rocksdb_state_backend.hpp"

namespace dataflow {

namespace fs = std::filesystem;

expected<std::shared_ptr<state_backend>> make_state_backend(const state_backend_config& config) {
  if (config.kind == "memory") return make_memory_state_backend();
  if (config.kind != "rocksdb")
    return status{errc::invalid_configuration,
                  "state backend: expected memory or rocksdb, got \"" + config.kind + "\""};
  std::error_code ec;
  fs::path base =
      config.directory.empty() ? fs::temp_directory_path(ec) : fs::path(config.directory);
  if (ec) return status{errc::io_error, "state backend: no temporary directory: " + ec.message()};
  fs::create_directories(base, ec);
  if (ec)
    return status{errc::io_error,
                  "state backend: cannot make directory '" + base.string() + "': " + ec.message()};
  // Unique per process and backend: two jobs, or two runs after a crash, never share one.
  static std::atomic<unsigned> counter{0};
  fs::path dir;
  do {
    dir = base / ("dataflow-state-" + std::to_string(::getpid()) + "-" +
                  std::to_string(counter.fetch_add(1)));
  } while (fs::exists(dir, ec));
  rocksdb_options o;
  if (config.cache_entries > 0) o.state_cache_entries = config.cache_entries;
  o.remove_on_close = true;
  return make_rocksdb_state_backend(dir.string(), o);
}

}  // namespace dataflow
