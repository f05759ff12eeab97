#include "dataflow/checkpoint/loaded_checkpoint.hpp"

#include <filesystem>

#include "checkpoint_directory.hpp"
#include "dataflow/checkpoint/metadata_file.hpp"
#include "dataflow/graph/key_group.hpp"

namespace dataflow {

namespace fs = std::filesystem;

loaded_checkpoint::loaded_checkpoint(std::string directory, checkpoint_metadata md,
                                     std::vector<std::vector<std::string>> bytes,
                                     std::vector<std::string> skipped)
    : dir_(std::move(directory)),
      md_(std::move(md)),
      bytes_(std::move(bytes)),
      skipped_(std::move(skipped)) {}

const std::string* loaded_checkpoint::state(std::string_view uid, int subtask) const noexcept {
  for (std::size_t i = 0; i < md_.operators.size() && i < bytes_.size(); ++i)
    if (md_.operators[i].uid == uid) {
      if (subtask < 0 || static_cast<std::size_t>(subtask) >= bytes_[i].size()) return nullptr;
      return &bytes_[i][static_cast<std::size_t>(subtask)];
    }
  return nullptr;
}

expected<instance_restore> loaded_checkpoint::restore_for(std::string_view uid, int subtask,
                                                          int parallelism,
                                                          bool source_reads_splits) const {
  if (parallelism < 1 || subtask < 0 || subtask >= parallelism)
    return status{errc::invalid_configuration, "instance " + std::to_string(subtask) + " of " +
                                                   std::to_string(parallelism) + " does not exist"};
  instance_restore out;
  const operator_state* op = md_.find(uid);
  if (!op) return out;
  const auto i = static_cast<std::size_t>(op - md_.operators.data());
  const auto& bytes = bytes_.at(i);
  if (parallelism == op->parallelism) {
    const auto s = static_cast<std::size_t>(subtask);
    if (!bytes[s].empty()) out.states.emplace_back(bytes[s]);
    out.source_position = op->subtasks[s].source_position;
    return out;
  }
  if (!op->has_state()) return out;
  const std::string rescale =
      std::to_string(op->parallelism) + " -> " + std::to_string(parallelism);
  if (op->source && source_reads_splits) {
    for (const auto& b : bytes) out.states.emplace_back(b);
    out.rescaled_source = true;
    return out;
  }
  if (op->source)
    return status{errc::invalid_configuration,
                  "source " + op->uid + " cannot be rescaled " + rescale +
                      ": the read positions of a " + op->kind +
                      " source are per instance (it does not read splits); restore it at "
                      "parallelism " +
                      std::to_string(op->parallelism)};
  if (!op->keyed)
    return status{errc::invalid_configuration,
                  "operator " + op->uid + " cannot be rescaled " + rescale +
                      ": its state is not keyed, so it cannot be split; restore it at "
                      "parallelism " +
                      std::to_string(op->parallelism)};
  const auto mine = key_group_range_of(subtask, parallelism, op->max_parallelism);
  for (int old = 0; old < op->parallelism; ++old) {
    const auto theirs = key_group_range_of(old, op->parallelism, op->max_parallelism);
    const bool overlap = theirs.first <= mine.last && mine.first <= theirs.last;
    const auto& b = bytes[static_cast<std::size_t>(old)];
    if (overlap && !b.empty()) out.states.emplace_back(b);
  }
  return out;
}

expected<loaded_checkpoint> load_checkpoint(const std::string& path) {
  const fs::path dir(path);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return status{errc::io_error, path + ": no such directory"};

  if (fs::exists(dir / metadata_file_name, ec)) {
    auto md = read_metadata_file(path);
    if (!md) return md.error();
    auto bytes = internal::read_checkpoint_files(dir, *md);
    if (!bytes) return bytes.error();
    return loaded_checkpoint(path, std::move(*md), std::move(*bytes), {});
  }

  auto chk = internal::list_numbered_dirs(dir, internal::checkpoint_dir_prefix);
  if (!chk) return chk.error();
  if (chk->empty()) {
    const auto name = dir.filename().string();
    if (internal::parse_numbered_name(name, internal::checkpoint_dir_prefix) ||
        internal::parse_numbered_name(name, internal::savepoint_dir_prefix))
      return status{errc::io_error,
                    path + ": incomplete checkpoint: no " + std::string(metadata_file_name)};
    return status{errc::io_error, path + ": neither a checkpoint (no " +
                                      std::string(metadata_file_name) +
                                      ") nor a checkpoints directory (no chk-<id> inside)"};
  }

  std::vector<std::string> skipped;
  std::vector<std::vector<std::string>> bytes;
  auto found = internal::newest_accepted_checkpoint(
      dir,
      [&](const fs::path& d, const checkpoint_metadata& md) -> status {
        auto b = internal::read_checkpoint_files(d, md);
        if (!b) return b.error();
        bytes = std::move(*b);
        return status::ok();
      },
      skipped);
  if (!found) return found.error();
  if (!*found) {
    std::string why = path + ": no complete checkpoint whose files verify";
    for (auto& s : skipped) why += "; " + s;
    return status{errc::io_error, std::move(why)};
  }
  return loaded_checkpoint((*found)->dir.path.string(), std::move((*found)->metadata),
                           std::move(bytes), std::move(skipped));
}

}  // namespace dataflow
