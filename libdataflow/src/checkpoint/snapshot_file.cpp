#include "dataflow/checkpoint/snapshot_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "durable_file.hpp"

namespace dataflow {

namespace {

constexpr std::array<char, 8> magic = {'D', 'F', 'S', 'N', 'A', 'P', 'S', 'H'};

void put_le(char* at, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i, v >>= 8) at[i] = static_cast<char>(v & 0xff);
}

std::uint64_t get_le(const char* at, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(at[i]);
  return v;
}

status decode_error(const std::string& path, const std::string& what) {
  return {errc::decode_failed, path + ": " + what};
}

std::string hex32(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

struct file_closer {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

/// Opens `path`, checks the header and the length against the file size, then hands the
/// payload in pieces (appended to `payload` unless null) and checks the CRC at the end.
expected<snapshot_file_info> read_checked(const std::string& path, std::string* payload) {
  file_ptr f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    int err = errno;
    if (err == ENOENT) return status{errc::io_error, path + ": snapshot file is missing"};
    return internal::io_error(path, "cannot open snapshot file", err);
  }
  if (std::fseek(f.get(), 0, SEEK_END) != 0) return internal::io_error(path, "cannot seek", errno);
  const long end = std::ftell(f.get());
  if (end < 0) return internal::io_error(path, "cannot tell its size", errno);
  const auto found = static_cast<std::uint64_t>(end);
  std::rewind(f.get());

  std::array<char, snapshot_file_header_size> header{};
  const auto got = std::fread(header.data(), 1, header.size(), f.get());
  // The magic first: a file that is something else entirely says so, whatever its size.
  const auto compared = std::min(got, magic.size());
  if (!std::equal(header.begin(), header.begin() + static_cast<long>(compared), magic.begin()))
    return decode_error(path, "not a snapshot file (wrong magic)");
  if (got < header.size())
    return decode_error(path, "truncated: expected at least " +
                                  std::to_string(snapshot_file_header_size) +
                                  " bytes of header, found " + std::to_string(found));
  const auto version = static_cast<std::uint32_t>(get_le(header.data() + 8, 4));
  if (version == 0 || version > snapshot_file_version)
    return decode_error(path, "snapshot file format version " + std::to_string(version) +
                                  ", this build reads versions 1 to " +
                                  std::to_string(snapshot_file_version));
  snapshot_file_info info;
  info.payload_size = get_le(header.data() + 12, 8);
  info.crc32 = static_cast<std::uint32_t>(get_le(header.data() + 20, 4));
  const std::uint64_t expected_size = snapshot_file_header_size + info.payload_size;
  if (info.payload_size > found || found < expected_size)
    return decode_error(path, "truncated: expected " + std::to_string(expected_size) +
                                  " bytes, found " + std::to_string(found));
  if (found > expected_size)
    return decode_error(path, "trailing bytes: expected " + std::to_string(expected_size) +
                                  " bytes, found " + std::to_string(found));

  if (payload) payload->reserve(static_cast<std::size_t>(info.payload_size));
  uLong crc = crc32(0L, Z_NULL, 0);
  std::array<char, 64 * 1024> buf{};
  std::uint64_t left = info.payload_size;
  while (left > 0) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    const auto n = std::fread(buf.data(), 1, want, f.get());
    if (n != want) return internal::io_error(path, "cannot read", errno);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(n));
    if (payload) payload->append(buf.data(), n);
    left -= n;
  }
  const auto actual = static_cast<std::uint32_t>(crc);
  if (actual != info.crc32)
    return decode_error(path, "checksum mismatch: the header says " + hex32(info.crc32) +
                                  ", the payload has " + hex32(actual));
  return info;
}

}  // namespace

std::uint32_t crc32_of(std::string_view bytes) noexcept {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto* p = reinterpret_cast<const Bytef*>(bytes.data());
  std::size_t left = bytes.size();
  while (left > 0) {
    const auto n = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    crc = crc32(crc, p, n);
    p += n;
    left -= n;
  }
  return static_cast<std::uint32_t>(crc);
}

expected<snapshot_file_info> write_snapshot_file(const std::string& path,
                                                 std::string_view payload) {
  snapshot_file_info info{payload.size(), crc32_of(payload)};
  std::array<char, snapshot_file_header_size> header{};
  std::copy(magic.begin(), magic.end(), header.begin());
  put_le(header.data() + 8, snapshot_file_version, 4);
  put_le(header.data() + 12, info.payload_size, 8);
  put_le(header.data() + 20, info.crc32, 4);
  if (auto s = internal::write_file_durably(path, {header.data(), header.size()}, payload); !s)
    return s;
  return info;
}

expected<std::string> read_snapshot_file(const std::string& path, snapshot_file_info* info) {
  std::string payload;
  auto header = read_checked(path, &payload);
  if (!header) return header.error();
  if (info) *info = *header;
  return payload;
}

expected<snapshot_file_info> verify_snapshot_file(const std::string& path) {
  return read_checked(path, nullptr);
}

}  // namespace dataflow
