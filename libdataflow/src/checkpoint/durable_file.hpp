// Private to src/checkpoint: files that survive a crash. A file is written under a temporary
// name in the same directory, fsync'd, renamed over its final name, and the directory is
// fsync'd, so a reader finds the whole file or none, never a torn one.
// Thread-safety: pure functions; different paths may be written concurrently.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "dataflow/core/status.hpp"

namespace dataflow::internal {

/// Writes `head` then `body` to `path` durably (temp name, fsync, rename, fsync the directory).
status write_file_durably(const std::filesystem::path& path, std::string_view head,
                          std::string_view body = {});

/// Makes the entries of directory `dir` (creations, renames) durable.
status fsync_directory(const std::filesystem::path& dir);

/// Creates `dir` (and its parents) and makes its entry durable in its parent.
status create_directory_durably(const std::filesystem::path& dir);

/// True for the temporary names write_file_durably uses ("<name>.tmp-<suffix>").
bool is_temp_file_name(std::string_view file_name) noexcept;

/// "<path>: <what>: <reason of errno>".
status io_error(const std::filesystem::path& path, std::string_view what, int err);

}  // namespace dataflow::internal
