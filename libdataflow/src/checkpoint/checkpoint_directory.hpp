// Private to src/checkpoint: the layout of a checkpoints directory (chk-<id>, savepoint-<id>),
// checking a checkpoint's files against its metadata, and the walk from the newest checkpoint
// to older ones that latest() and load_checkpoint() share.
// Thread-safety: pure functions over the file system.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/checkpoint/checkpoint_metadata.hpp"
#include "dataflow/core/status.hpp"

namespace dataflow::internal {

inline constexpr std::string_view checkpoint_dir_prefix = "chk-";
inline constexpr std::string_view savepoint_dir_prefix = "savepoint-";

/// A "<prefix><id>" directory.
struct numbered_dir {
  std::int64_t id = 0;
  std::filesystem::path path;
};

/// The id in "<prefix><id>", or nothing for other names.
std::optional<std::int64_t> parse_numbered_name(std::string_view name, std::string_view prefix);

/// The "<prefix><id>" directories in `base`, ascending by id; none when `base` is missing.
expected<std::vector<numbered_dir>> list_numbered_dirs(const std::filesystem::path& base,
                                                       std::string_view prefix);

/// Checks that every file of `md` is in `dir`, intact, with the size and checksum `md` says.
status verify_checkpoint_files(const std::filesystem::path& dir, const checkpoint_metadata& md);

/// Reads every file of `md` from `dir`, checked as above: [operator][subtask] -> payload.
expected<std::vector<std::vector<std::string>>> read_checkpoint_files(
    const std::filesystem::path& dir, const checkpoint_metadata& md);

/// A checkpoint directory with its metadata.
struct accepted_checkpoint {
  numbered_dir dir;
  checkpoint_metadata metadata;
};

/// Walks the chk-<id> directories of `base` from the newest and returns the first complete
/// one that `accept` takes, recording in `skipped` why each newer one was passed over
/// ("chk-9: incomplete: no _metadata"). Nothing when none is taken.
using checkpoint_acceptor =
    std::function<status(const std::filesystem::path& dir, const checkpoint_metadata& md)>;
expected<std::optional<accepted_checkpoint>> newest_accepted_checkpoint(
    const std::filesystem::path& base, const checkpoint_acceptor& accept,
    std::vector<std::string>& skipped);

}  // namespace dataflow::internal
