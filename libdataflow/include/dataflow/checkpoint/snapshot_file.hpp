// A snapshot file: the state bytes of one operator instance in one checkpoint, framed so that
// a reader can tell a whole, intact file from anything else.
//
//   offset  size  field
//        0     8  magic "DFSNAPSH"
//        8     4  format version (snapshot_file_version), little-endian
//       12     8  payload length in bytes, little-endian
//       20     4  CRC32 of the payload (zlib's crc32), little-endian
//       24     n  payload: what operator_base::snapshot() wrote
//
// Files are written under a temporary name, fsync'd and renamed, then the directory is
// fsync'd. Every read error names the file: missing, truncated ("expected N bytes, found M"),
// wrong magic, a format version this build cannot read, checksum mismatch.
// Thread-safety: pure functions; different files may be written and read concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dataflow/core/status.hpp"

namespace dataflow {

/// The format version this build writes, and the newest it reads.
inline constexpr std::uint32_t snapshot_file_version = 1;
/// Bytes before the payload.
inline constexpr std::size_t snapshot_file_header_size = 24;

/// What a snapshot file holds, from its header (checked against the payload).
struct snapshot_file_info {
  std::uint64_t payload_size = 0;
  std::uint32_t crc32 = 0;
};

/// zlib's CRC32 of `bytes`, for any size.
std::uint32_t crc32_of(std::string_view bytes) noexcept;

/// Writes `payload` to `path` durably. errc::io_error when it cannot.
expected<snapshot_file_info> write_snapshot_file(const std::string& path, std::string_view payload);

/// Reads and checks the file at `path` and returns its payload. errc::io_error when the file
/// is missing or unreadable, errc::decode_failed when its contents are not a whole snapshot.
/// Stores the header in `info` when not null.
expected<std::string> read_snapshot_file(const std::string& path,
                                         snapshot_file_info* info = nullptr);

/// Checks the file like read_snapshot_file, reading it in pieces without keeping the payload.
expected<snapshot_file_info> verify_snapshot_file(const std::string& path);

}  // namespace dataflow
