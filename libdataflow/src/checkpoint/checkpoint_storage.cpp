#include "dataflow/checkpoint/checkpoint_storage.hpp"

#include <algorithm>
#include <filesystem>

#include "checkpoint_directory.hpp"
#include "dataflow/checkpoint/metadata_file.hpp"
#include "dataflow/checkpoint/snapshot_file.hpp"
#include "durable_file.hpp"

namespace dataflow {

namespace fs = std::filesystem;

namespace {

checkpoint_metadata initial_metadata(std::int64_t id, checkpoint_kind kind,
                                     const job_description& job, std::int64_t created_ms) {
  checkpoint_metadata md;
  md.id = id;
  md.kind = kind;
  md.created_ms = created_ms;
  md.job_name = job.name;
  md.max_parallelism = job.max_parallelism;
  for (auto& d : job.operators) {
    operator_state op;
    op.uid = d.uid;
    op.name = d.name;
    op.kind = d.kind;
    op.keyed = d.keyed;
    op.source = d.source;
    op.parallelism = d.parallelism;
    op.max_parallelism = d.max_parallelism;
    op.subtasks.resize(static_cast<std::size_t>(std::max(d.parallelism, 0)));
    for (std::size_t s = 0; s < op.subtasks.size(); ++s)
      op.subtasks[s].subtask = static_cast<int>(s);
    md.operators.push_back(std::move(op));
  }
  return md;
}

status check_job(const job_description& job) {
  for (std::size_t i = 0; i < job.operators.size(); ++i) {
    auto& op = job.operators[i];
    if (op.uid.empty())
      return {errc::invalid_configuration, "operator '" + op.name + "' has no uid"};
    if (op.parallelism < 1)
      return {errc::invalid_configuration,
              "operator " + op.uid + " has parallelism " + std::to_string(op.parallelism)};
    for (std::size_t j = 0; j < i; ++j)
      if (job.operators[j].uid == op.uid)
        return {errc::invalid_configuration, "two operators have uid " + op.uid};
  }
  return status::ok();
}

}  // namespace

status checkpoint_storage_options::validate() const {
  if (retained < 1)
    return {errc::invalid_configuration,
            "checkpoints retained must be at least 1, got " + std::to_string(retained)};
  return status::ok();
}

expected<checkpoint_storage> checkpoint_storage::open(std::string directory,
                                                      checkpoint_storage_options options) {
  if (auto s = options.validate(); !s) return s;
  if (directory.empty()) return status{errc::invalid_configuration, "no checkpoint directory"};
  if (auto s = internal::create_directory_durably(directory); !s) return s;
  return checkpoint_storage(std::move(directory), options);
}

expected<std::int64_t> checkpoint_storage::next_checkpoint_id() const {
  std::int64_t highest = 0;
  for (auto prefix : {internal::checkpoint_dir_prefix, internal::savepoint_dir_prefix}) {
    auto dirs = internal::list_numbered_dirs(dir_, prefix);
    if (!dirs) return dirs.error();
    if (!dirs->empty()) highest = std::max(highest, dirs->back().id);
  }
  return highest + 1;
}

expected<pending_checkpoint> checkpoint_storage::begin_checkpoint(std::int64_t id,
                                                                  const job_description& job,
                                                                  std::int64_t created_ms) const {
  if (auto s = check_job(job); !s) return s;
  const fs::path dir =
      fs::path(dir_) / (std::string(internal::checkpoint_dir_prefix) + std::to_string(id));
  std::error_code ec;
  if (fs::exists(dir / metadata_file_name, ec))
    return status{errc::invalid_configuration,
                  dir.string() + " is already a complete checkpoint; ids must grow"};
  if (fs::exists(dir, ec)) {
    // Left by an attempt that never completed (the job failed, or this id was reused after a
    // restore from an older checkpoint): its files are not part of this checkpoint.
    fs::remove_all(dir, ec);
    if (ec) return internal::io_error(dir, "cannot remove the incomplete directory", ec.value());
  }
  if (auto s = internal::create_directory_durably(dir); !s) return s;
  return pending_checkpoint(dir.string(),
                            initial_metadata(id, checkpoint_kind::checkpoint, job, created_ms));
}

expected<pending_checkpoint> checkpoint_storage::begin_savepoint(std::int64_t id,
                                                                 const job_description& job,
                                                                 std::int64_t created_ms,
                                                                 const std::string& target) const {
  if (auto s = check_job(job); !s) return s;
  const fs::path dir =
      target.empty()
          ? fs::path(dir_) / (std::string(internal::savepoint_dir_prefix) + std::to_string(id))
          : fs::path(target);
  std::error_code ec;
  if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec)))
    return status{errc::invalid_configuration,
                  dir.string() + " already exists; a savepoint needs a new or empty directory"};
  if (auto s = internal::create_directory_durably(dir); !s) return s;
  return pending_checkpoint(dir.string(),
                            initial_metadata(id, checkpoint_kind::savepoint, job, created_ms));
}

expected<completed_checkpoint> checkpoint_storage::complete(const pending_checkpoint& p,
                                                            checkpoint_stats stats) const {
  if (!p.all_acknowledged()) {
    auto missing = p.missing();
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 5; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 5) list += ", ...";
    return status{errc::runtime_error,
                  std::string(to_string(p.kind())) + " " + std::to_string(p.id()) + " is missing " +
                      std::to_string(missing.size()) + " instance(s): " + list};
  }
  // The instances wrote and fsync'd their files; check that they are here and of the size
  // acknowledged (cheap: no reading), so that metadata never describes files this node
  // cannot see.
  for (auto& op : p.metadata().operators)
    for (auto& st : op.subtasks) {
      const auto file = fs::path(p.directory()) / st.file;
      std::error_code ec;
      const auto size = fs::file_size(file, ec);
      if (ec) return internal::io_error(file, "acknowledged but not readable", ec.value());
      if (size != snapshot_file_header_size + st.size)
        return status{errc::io_error, file.string() + ": acknowledged with " +
                                          std::to_string(snapshot_file_header_size + st.size) +
                                          " bytes, found " + std::to_string(size)};
    }
  completed_checkpoint done;
  done.checkpoint.directory = p.directory();
  done.checkpoint.metadata = p.metadata();
  auto& md = done.checkpoint.metadata;
  stats.size_bytes = 0;
  for (auto& op : md.operators) stats.size_bytes += op.state_size();
  md.stats = stats;
  if (auto s = write_metadata_file(p.directory(), md); !s) return s;
  if (p.kind() != checkpoint_kind::checkpoint) return done;

  // Retention. Complete means a readable _metadata; the files are not read here.
  auto dirs = internal::list_numbered_dirs(dir_, internal::checkpoint_dir_prefix);
  if (!dirs) {
    done.retention_problems.push_back(dirs.error().message());
    return done;
  }
  std::vector<internal::numbered_dir> complete, incomplete;
  for (auto& d : *dirs) {
    if (read_metadata_file(d.path.string()))
      complete.push_back(d);
    else
      incomplete.push_back(d);
  }
  std::vector<fs::path> doomed;
  const auto keep = static_cast<std::size_t>(opts_.retained);
  if (complete.size() > keep)
    for (std::size_t i = 0; i < complete.size() - keep; ++i) doomed.push_back(complete[i].path);
  if (!complete.empty())
    for (auto& d : incomplete)
      if (d.id < complete.back().id) doomed.push_back(d.path);
  for (auto& d : doomed) {
    std::error_code ec;
    fs::remove_all(d, ec);
    if (ec)
      done.retention_problems.push_back(d.string() + ": cannot delete: " + ec.message());
    else
      done.removed.push_back(d.string());
  }
  if (!doomed.empty()) (void)internal::fsync_directory(dir_);
  return done;
}

status checkpoint_storage::abort(const pending_checkpoint& p) const {
  std::error_code ec;
  fs::remove_all(p.directory(), ec);
  if (ec) return internal::io_error(p.directory(), "cannot delete", ec.value());
  return status::ok();
}

expected<latest_checkpoint> checkpoint_storage::latest() const {
  latest_checkpoint out;
  auto found = internal::newest_accepted_checkpoint(
      dir_,
      [](const fs::path& dir, const checkpoint_metadata& md) {
        return internal::verify_checkpoint_files(dir, md);
      },
      out.skipped);
  if (!found) return found.error();
  if (*found)
    out.found = checkpoint_ref{(*found)->dir.path.string(), std::move((*found)->metadata)};
  return out;
}

}  // namespace dataflow
