// Keyed state in RocksDB: one database per backend object, in a directory given at
// construction (a job shares one per process). Each (operator uid, state name) is a column
// family, created on first use and shared by all instances of the operator; keys start with
// their key group (kv_table.hpp), so instances never collide and a key-group range can be moved.
// keyed_state_store keeps a write-back cache of decoded values per state in front of the tables.
//
// Native checkpoints: create_checkpoint() hard-links the SST files into a new directory, so
// successive checkpoints share the files that did not change and cost only the new ones.
// restore_from_checkpoint() brings the key groups of one range back from a checkpoint, possibly
// taken at another parallelism.
//
//   auto backend = make_rocksdb_state_backend("/var/lib/job/state");
//   if (!backend) return backend.error();
//   job_options opts;
//   opts.backend = *backend;
//
// RocksDB stays out of this header (pimpl). Thread-safety: every member may be called from
// several threads at once; create_checkpoint() sees what was written before it was called, so
// the caller stops writers (and flushes their caches) first.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/core/status.hpp"
#include "dataflow/graph/key_group.hpp"
#include "dataflow/state/state_backend.hpp"

namespace dataflow {

/// Tuning of a rocksdb_state_backend.
struct rocksdb_options {
  /// Bytes of the LRU block cache shared by all column families (uncompressed blocks, index and
  /// filter blocks). Default: 256 MiB.
  std::size_t block_cache_bytes = std::size_t{256} << 20;
  /// Bytes of memtables over all column families before RocksDB flushes the largest.
  /// Default: 128 MiB.
  std::size_t write_buffer_bytes = std::size_t{128} << 20;
  /// Keys each keyed state keeps decoded in its write-back cache. Default: 65536.
  std::size_t state_cache_entries = 65536;
  /// Background flush and compaction threads. Default: 2.
  int background_jobs = 2;
  /// Remove the directory when the backend closes: for working state that no one reopens
  /// (make_state_backend's directories). Default: false.
  bool remove_on_close = false;
};

/// What restore_from_checkpoint() did.
struct rocksdb_restore_stats {
  /// Column families taken over whole, by linking the checkpoint's SST files (no copy).
  int imported_column_families = 0;
  /// Column families whose entries in range were copied one by one.
  int copied_column_families = 0;
  /// Entries copied.
  std::size_t copied_entries = 0;
};

class rocksdb_state_backend final : public state_backend {
 public:
  /// Opens (or creates) the database in `dir`, with every column family already there.
  static expected<std::shared_ptr<rocksdb_state_backend>> open(std::string dir,
                                                               rocksdb_options options = {});
  ~rocksdb_state_backend() override;
  rocksdb_state_backend(const rocksdb_state_backend&) = delete;
  rocksdb_state_backend& operator=(const rocksdb_state_backend&) = delete;

  std::string_view name() const noexcept override { return "rocksdb"; }
  bool keeps_objects() const noexcept override { return false; }
  /// The table of column family "<uid>/<state_name>" ('/' and '%' in the uid escaped as %2F
  /// and %25), created when absent.
  expected<std::unique_ptr<kv_table>> open_table(std::string_view operator_uid, int subtask,
                                                 std::string_view state_name) override;
  std::size_t state_cache_entries() const noexcept override;

  [[nodiscard]] const std::string& directory() const noexcept;
  /// Names of the column families holding state (not RocksDB's "default"), sorted.
  [[nodiscard]] std::vector<std::string> column_families() const;
  /// Those of operator `operator_uid` (its states), sorted.
  [[nodiscard]] std::vector<std::string> column_families_of(std::string_view operator_uid) const;

  /// Writes an openable copy of the database to `dir`, which must not exist: SST files are
  /// hard-linked (copied when `dir` is on another file system), so the disk cost is the files
  /// written since the last checkpoint. Flushes memtables first. Also writes the file
  /// DATAFLOW_CHECKPOINT (format version, column families), last, so a checkpoint without it
  /// is incomplete.
  [[nodiscard]] status create_checkpoint(const std::string& dir);

  /// Adds the entries of the key groups in `groups` of every column family of the checkpoint in
  /// `dir` to this database. A column family not yet in this database whose entries all lie in
  /// `groups` is imported whole (its SST files linked in, nothing decoded): the fast path when
  /// restoring at the same parallelism, before any table of it is opened. Others are copied
  /// entry by entry in large batches. Entries already here in range stay unless overwritten,
  /// so restore into a fresh database (several checkpoints may feed one range after a rescale).
  [[nodiscard]] expected<rocksdb_restore_stats> restore_from_checkpoint(const std::string& dir,
                                                                        key_group_range groups);

  struct impl;

 private:
  explicit rocksdb_state_backend(std::shared_ptr<impl> impl);
  std::shared_ptr<impl> impl_;  // shared with the tables, which may outlive the backend object
};

/// The same as rocksdb_state_backend::open, as a state_backend for job_options::backend.
expected<std::shared_ptr<state_backend>> make_rocksdb_state_backend(std::string dir,
                                                                    rocksdb_options options = {});

}  // namespace dataflow
