// Native checkpoints of the RocksDB backend: create_checkpoint and restore_from_checkpoint.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <system_error>

#include <rocksdb/comparator.h>
#include <rocksdb/metadata.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <cereal/types/vector.hpp>

#include "dataflow/state/versioned_snapshot.hpp"
#include "rocksdb_instance.hpp"

namespace dataflow {

namespace fs = std::filesystem;
using namespace rocksdb_detail;

namespace {

constexpr const char* checkpoint_meta_file = "DATAFLOW_CHECKPOINT";
constexpr std::uint32_t checkpoint_meta_version = 1;
// Restores copy in write batches of about this size: large enough to amortize a Write, small
// enough not to hold a second copy of a large state in memory.
constexpr std::size_t restore_batch_bytes = std::size_t{4} << 20;

/// Writes `bytes` to `path` so that a reader sees all of it or nothing: a temporary file,
/// fsync, rename, then fsync of the directory.
status write_file_atomically(const fs::path& path, const std::string& bytes) {
  auto tmp = path;
  tmp += ".tmp";
  auto fail = [&](const char* what) {
    return status{errc::io_error, std::string("cannot ") + what + " '" + tmp.string() +
                                      "': " + std::generic_category().message(errno)};
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("create");
  std::size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("fsync");
  }
  ::close(fd);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return {errc::io_error, "cannot rename '" + tmp.string() + "': " + ec.message()};
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return status::ok();
}

}  // namespace

status rocksdb_state_backend::create_checkpoint(const std::string& dir) {
  std::error_code ec;
  auto target = fs::absolute(dir, ec);
  if (ec) return {errc::io_error, "checkpoint directory '" + dir + "': " + ec.message()};
  if (fs::exists(target, ec))
    return {errc::io_error, "checkpoint directory '" + dir + "' already exists"};
  rocksdb::Checkpoint* raw = nullptr;
  if (auto s = rocksdb::Checkpoint::Create(impl_->db, &raw); !s.ok())
    return impl_->error(s, {}, "checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  // log_size_for_flush 0: always flush the memtables, which hold data no WAL covers.
  if (auto s = cp->CreateCheckpoint(target.string(), 0); !s.ok())
    return impl_->error(s, {}, "checkpoint to '" + dir + "'");
  auto meta = write_versioned_snapshot(checkpoint_meta_version, column_families());
  return write_file_atomically(target / checkpoint_meta_file, meta);
}

expected<rocksdb_restore_stats> rocksdb_state_backend::restore_from_checkpoint(
    const std::string& dir, key_group_range groups) {
  std::error_code ec;
  auto source = fs::absolute(dir, ec);
  std::string meta_bytes;
  {
    auto meta_path = source / checkpoint_meta_file;
    std::FILE* f = std::fopen(meta_path.c_str(), "rb");
    if (!f)
      return status{errc::io_error, "'" + dir + "' is not a complete rocksdb state checkpoint: " +
                                        "cannot open " + checkpoint_meta_file};
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) meta_bytes.append(buf, n);
    std::fclose(f);
  }
  std::vector<std::string> names;
  if (auto s = read_versioned_snapshot(meta_bytes, checkpoint_meta_version,
                                       "rocksdb checkpoint metadata", names);
      !s)
    return status{s.code(), "'" + dir + "': " + s.message()};

  // The checkpoint, read-only. Only its files are read; nothing in it changes.
  rocksdb::DBOptions ro_options;
  rocksdb::ColumnFamilyOptions ro_cf;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors{
      {rocksdb::kDefaultColumnFamilyName, ro_cf}};
  for (auto& n : names) descriptors.emplace_back(n, ro_cf);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (auto s =
          rocksdb::DB::OpenForReadOnly(ro_options, source.string(), descriptors, &handles, &raw);
      !s.ok())
    return impl_->error(s, {}, "open checkpoint '" + dir + "'");
  auto close = [&] {
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  };
  std::vector<rocksdb::LiveFileMetaData> files;
  raw->GetLiveFilesMetaData(&files);

  rocksdb_restore_stats stats;
  auto b = bounds_of(groups);
  for (std::size_t i = 0; i < names.size() && !b.empty; ++i) {
    const auto& name = names[i];
    std::vector<rocksdb::LiveFileMetaData> mine;
    bool all_in_range = true;
    for (auto& f : files) {
      if (f.column_family_name != name) continue;
      auto lo = key_group_of_table_key(f.smallestkey);
      auto hi = key_group_of_table_key(f.largestkey);
      if (lo < groups.first || hi < 0 || hi > groups.last) all_in_range = false;
      mine.push_back(f);
    }
    if (mine.empty()) continue;  // nothing was ever flushed: the column family is empty

    std::unique_lock lock(impl_->mu);
    if (all_in_range && !impl_->families.contains(name)) {
      // Fast path: link the files into a staging directory inside the database's own (same
      // file system), and let RocksDB import them by moving those links.
      auto staging = fs::path(impl_->dir) / ("restore-staging-" + std::to_string(i));
      fs::remove_all(staging, ec);
      fs::create_directory(staging, ec);
      bool linked = !ec;
      rocksdb::ExportImportFilesMetaData md;
      md.db_comparator_name = rocksdb::BytewiseComparator()->Name();
      for (auto& f : mine) {
        auto copy = f;
        if (linked) {
          fs::create_hard_link(f.db_path + f.name, staging.string() + f.name, ec);
          if (ec) linked = false;  // another file system: RocksDB copies instead
        }
        md.files.push_back(std::move(copy));
      }
      for (auto& f : md.files)
        if (linked) f.db_path = staging.string();
      rocksdb::ImportColumnFamilyOptions io;
      io.move_files = linked;
      rocksdb::ColumnFamilyHandle* h = nullptr;
      auto s = impl_->db->CreateColumnFamilyWithImport(impl_->cf_options, name, io, md, &h);
      fs::remove_all(staging, ec);
      if (!s.ok()) {
        close();
        return impl_->error(s, name, "import from checkpoint '" + dir + "'");
      }
      impl_->families.emplace(name, h);
      ++stats.imported_column_families;
      continue;
    }
    lock.unlock();

    auto target = impl_->family(name);
    if (!target) {
      close();
      return target.error();
    }
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    rocksdb::Slice upper(b.upper);
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(ro, handles[i + 1]));
    rocksdb::WriteBatch wb;
    rocksdb::Status s;
    for (it->Seek(b.lower); s.ok() && it->Valid(); it->Next()) {
      s = wb.Put(*target, it->key(), it->value());
      ++stats.copied_entries;
      if (s.ok() && wb.GetDataSize() >= restore_batch_bytes) {
        s = impl_->db->Write(impl_->write_options, &wb);
        wb.Clear();
      }
    }
    if (s.ok()) s = it->status();
    if (s.ok() && wb.Count() > 0) s = impl_->db->Write(impl_->write_options, &wb);
    it.reset();
    if (!s.ok()) {
      close();
      return impl_->error(s, name, "copy from checkpoint '" + dir + "'");
    }
    ++stats.copied_column_families;
  }
  close();
  return stats;
}

}  // namespace dataflow
