#include "dataflow/state/rocksdb_state_backend.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "rocksdb_instance.hpp"

namespace dataflow {

namespace fs = std::filesystem;
using namespace rocksdb_detail;

namespace {

/// '/' separates uid and state name in a column family's name; escaping it (and '%') in the
/// uid keeps the name unambiguous.
std::string escape_uid(std::string_view uid) {
  std::string out;
  out.reserve(uid.size());
  for (char c : uid) {
    if (c == '%')
      out += "%25";
    else if (c == '/')
      out += "%2F";
    else
      out += c;
  }
  return out;
}

}  // namespace

// -- the database ------------------------------------------------------------------------------

rocksdb_state_backend::impl::impl(std::string d, rocksdb_options o)
    : dir(std::move(d)), options(o) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  // Point lookups of keys that are not there (a key's first event) skip the files that
  // cannot hold them.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks count against the cache instead of growing beside it; those of
  // L0, read by every lookup, stay pinned.
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The same for the memtable, which holds recent writes of many keys: a lookup of a key it
  // does not hold skips the skip-list search.
  cf_options.memtable_whole_key_filtering = true;
  cf_options.memtable_prefix_bloom_size_ratio = 0.1;
  cf_options.compression = rocksdb::kLZ4Compression;
  cf_options.level_compaction_dynamic_level_bytes = true;
  cf_options.write_buffer_size =
      std::min<std::size_t>(options.write_buffer_bytes, std::size_t{64} << 20);

  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.db_write_buffer_size = options.write_buffer_bytes;
  db_options.max_background_jobs = std::max(options.background_jobs, 1);
  db_options.keep_log_file_num = 2;
  // Without a WAL, memtables must reach SST files on close (RocksDB's default; said here
  // because reopening a database depends on it).
  // A directory removed on close needs no flush.
  db_options.avoid_flush_during_shutdown = options.remove_on_close;

  // No write-ahead log. Every write to this database is state that the next checkpoint
  // covers: after a crash a job restores from its last completed checkpoint, never from what
  // the live database held, so the WAL would only double the bytes written. Checkpoints
  // flush the memtables (create_checkpoint), so they do not need it either.
  write_options.disableWAL = true;
}

rocksdb_state_backend::impl::~impl() {
  if (!db) return;
  for (auto& [name, h] : families) db->DestroyColumnFamilyHandle(h);
  if (default_family) db->DestroyColumnFamilyHandle(default_family);
  db->Close().PermitUncheckedError();
  delete db;
  if (options.remove_on_close) {
    std::error_code ec;  // best effort: a leftover directory costs disk, not correctness
    fs::remove_all(dir, ec);
  }
}

status rocksdb_state_backend::impl::error(const rocksdb::Status& s, std::string_view family,
                                          std::string_view what) const {
  std::string m = "rocksdb state backend '" + dir + "'";
  if (!family.empty()) m += ", column family '" + std::string(family) + "'";
  m += ": ";
  m += what;
  m += ": ";
  m += s.ToString();
  return {code_of(s), std::move(m)};
}

expected<rocksdb::ColumnFamilyHandle*> rocksdb_state_backend::impl::family(
    const std::string& name) {
  std::lock_guard lock(mu);
  if (auto it = families.find(name); it != families.end()) return it->second;
  rocksdb::ColumnFamilyHandle* h = nullptr;
  if (auto s = db->CreateColumnFamily(cf_options, name, &h); !s.ok())
    return error(s, name, "create column family");
  families.emplace(name, h);
  return h;
}

// -- tables ------------------------------------------------------------------------------------

namespace {

class rocksdb_table final : public kv_table {
 public:
  rocksdb_table(std::shared_ptr<rocksdb_state_backend::impl> db, rocksdb::ColumnFamilyHandle* cf,
                std::string family)
      : db_(std::move(db)), cf_(cf), family_(std::move(family)) {
    // Scans of whole key-group ranges (snapshots, restores) should not push the hot blocks
    // out of the cache.
    bulk_read_.fill_cache = false;
  }

  status put(std::string_view key, std::string_view value) override {
    return check(db_->db->Put(db_->write_options, cf_, slice(key), slice(value)), "put");
  }

  expected<bool> get(std::string_view key, std::string& value) override {
    rocksdb::PinnableSlice v;
    auto s = db_->db->Get(point_read_, cf_, slice(key), &v);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return db_->error(s, family_, "get");
    value.assign(v.data(), v.size());
    return true;
  }

  status remove(std::string_view key) override {
    return check(db_->db->Delete(db_->write_options, cf_, slice(key)), "remove");
  }

  status write(const kv_write_batch& batch) override {
    if (batch.empty()) return status::ok();
    rocksdb::WriteBatch wb(batch.bytes() + 64);
    rocksdb::Status s;
    batch.for_each([&](kv_write_batch::op kind, std::string_view key, std::string_view value) {
      if (!s.ok()) return;
      switch (kind) {
        case kv_write_batch::op::put:
          s = wb.Put(cf_, slice(key), slice(value));
          break;
        case kv_write_batch::op::remove:
          s = wb.Delete(cf_, slice(key));
          break;
        case kv_write_batch::op::remove_prefix: {
          auto end = prefix_successor(key);
          // Table keys start with a key group below 2^15, so a prefix always has a successor.
          s = end.empty() ? rocksdb::Status::InvalidArgument("prefix without an upper bound")
                          : wb.DeleteRange(cf_, slice(key), end);
          break;
        }
      }
    });
    if (!s.ok()) return db_->error(s, family_, "write batch");
    return check(db_->db->Write(db_->write_options, &wb), "write batch");
  }

  status multi_get(std::span<const std::string_view> keys,
                   std::vector<std::optional<std::string>>& values) override {
    values.assign(keys.size(), std::nullopt);
    if (keys.empty()) return status::ok();
    std::vector<rocksdb::Slice> ks;
    ks.reserve(keys.size());
    for (auto k : keys) ks.push_back(slice(k));
    std::vector<rocksdb::PinnableSlice> vs(keys.size());
    std::vector<rocksdb::Status> st(keys.size());
    db_->db->MultiGet(point_read_, cf_, keys.size(), ks.data(), vs.data(), st.data());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (st[i].IsNotFound()) continue;
      if (!st[i].ok()) return db_->error(st[i], family_, "multi_get");
      values[i].emplace(vs[i].data(), vs[i].size());
    }
    return status::ok();
  }

  status scan(key_group_range groups, const entry_fn& fn) override {
    auto b = bounds_of(groups);
    if (b.empty) return status::ok();
    return iterate(bulk_read_, b.lower, b.upper, fn, "scan");
  }

  status scan_prefix(std::string_view prefix, const entry_fn& fn) override {
    return iterate(point_read_, std::string(prefix), prefix_successor(prefix), fn, "scan_prefix");
  }

  status remove_key_groups(key_group_range groups) override {
    auto b = bounds_of(groups);
    if (b.empty) return status::ok();
    return check(db_->db->DeleteRange(db_->write_options, cf_, b.lower, b.upper),
                 "remove key groups");
  }

 private:
  status check(const rocksdb::Status& s, std::string_view what) const {
    return s.ok() ? status::ok() : db_->error(s, family_, what);
  }

  status iterate(rocksdb::ReadOptions ro, const std::string& lower, const std::string& upper,
                 const entry_fn& fn, std::string_view what) {
    rocksdb::Slice upper_slice(upper);
    if (!upper.empty()) ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->db->NewIterator(ro, cf_));
    for (it->Seek(lower); it->Valid(); it->Next())
      if (!fn(view(it->key()), view(it->value()))) break;
    return check(it->status(), what);
  }

  std::shared_ptr<rocksdb_state_backend::impl> db_;
  rocksdb::ColumnFamilyHandle* cf_;  // owned by db_
  std::string family_;
  rocksdb::ReadOptions point_read_;
  rocksdb::ReadOptions bulk_read_;
};

}  // namespace

// -- the backend -------------------------------------------------------------------------------

rocksdb_state_backend::rocksdb_state_backend(std::shared_ptr<impl> impl) : impl_(std::move(impl)) {}

rocksdb_state_backend::~rocksdb_state_backend() = default;

expected<std::shared_ptr<rocksdb_state_backend>> rocksdb_state_backend::open(
    std::string dir, rocksdb_options options) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    return status{errc::io_error,
                  "rocksdb state backend: '" + dir + "' exists and is not a directory"};
  fs::create_directories(dir, ec);
  if (ec)
    return status{errc::io_error,
                  "rocksdb state backend: cannot create directory '" + dir + "': " + ec.message()};
  auto im = std::make_shared<impl>(std::move(dir), options);

  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(im->db_options, im->dir, &names).ok())
    names = {rocksdb::kDefaultColumnFamilyName};  // a new database
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (auto& n : names) descriptors.emplace_back(n, im->cf_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  if (auto s = rocksdb::DB::Open(im->db_options, im->dir, descriptors, &handles, &im->db); !s.ok())
    return im->error(s, {}, "open");
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == rocksdb::kDefaultColumnFamilyName)
      im->default_family = handles[i];
    else
      im->families.emplace(names[i], handles[i]);
  }
  return std::shared_ptr<rocksdb_state_backend>(new rocksdb_state_backend(std::move(im)));
}

expected<std::unique_ptr<kv_table>> rocksdb_state_backend::open_table(
    std::string_view operator_uid, int /*subtask: instances share the column family*/,
    std::string_view state_name) {
  std::string name = escape_uid(operator_uid);
  name += '/';
  name += state_name;
  auto h = impl_->family(name);
  if (!h) return h.error();
  return std::unique_ptr<kv_table>(std::make_unique<rocksdb_table>(impl_, *h, std::move(name)));
}

std::size_t rocksdb_state_backend::state_cache_entries() const noexcept {
  return impl_->options.state_cache_entries;
}

const std::string& rocksdb_state_backend::directory() const noexcept {
  return impl_->dir;
}

std::vector<std::string> rocksdb_state_backend::column_families() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::string> out;
  for (auto& [name, h] : impl_->families) out.push_back(name);
  return out;
}

std::vector<std::string> rocksdb_state_backend::column_families_of(
    std::string_view operator_uid) const {
  const std::string prefix = escape_uid(operator_uid) + '/';
  std::vector<std::string> out;
  for (auto& name : column_families())
    if (name.compare(0, prefix.size(), prefix) == 0) out.push_back(name);
  return out;
}

expected<std::shared_ptr<state_backend>> make_rocksdb_state_backend(std::string dir,
                                                                    rocksdb_options options) {
  auto b = rocksdb_state_backend::open(std::move(dir), options);
  if (!b) return b.error();
  return std::shared_ptr<state_backend>(std::move(*b));
}

}  // namespace dataflow
