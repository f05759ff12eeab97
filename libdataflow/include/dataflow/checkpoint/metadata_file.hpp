// The `_metadata` file of a checkpoint directory: checkpoint_metadata as JSON with a format
// version, so people and tools can read it. It is the last thing written for a checkpoint,
// atomically (temporary file, fsync, rename, fsync the directory): a directory without a valid
// `_metadata` is an incomplete checkpoint, and a stray temporary file is never read.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "dataflow/checkpoint/checkpoint_metadata.hpp"
#include "dataflow/core/status.hpp"

namespace dataflow {

/// The file name of a checkpoint's metadata.
inline constexpr std::string_view metadata_file_name = "_metadata";
/// The metadata format this build writes, and the newest it reads.
inline constexpr int metadata_format_version = 1;

/// The metadata as indented JSON.
std::string metadata_to_json(const checkpoint_metadata& md);

/// Parses metadata_to_json's output; `origin` names the source in errors (a file path).
/// errc::decode_failed for invalid JSON, a missing field or a newer format version.
expected<checkpoint_metadata> metadata_from_json(std::string_view json, std::string_view origin);

/// Writes `checkpoint_dir`/_metadata atomically and durably.
status write_metadata_file(const std::string& checkpoint_dir, const checkpoint_metadata& md);

/// Reads `checkpoint_dir`/_metadata. errc::io_error when it is missing (the checkpoint is
/// incomplete) or unreadable, errc::decode_failed when it is invalid.
expected<checkpoint_metadata> read_metadata_file(const std::string& checkpoint_dir);

}  // namespace dataflow
