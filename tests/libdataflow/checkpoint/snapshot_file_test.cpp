// Snapshot files: round trip, and every way a file can be wrong gives an error naming it.
#include "dataflow/checkpoint/snapshot_file.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "../io/temp_dir.hpp"

using namespace dataflow;
using dataflow::testing::read_file;
using dataflow::testing::temp_dir;
using dataflow::testing::write_file;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("checkpoint snapshot file: round trip of empty, small and binary payloads") {
  temp_dir dir;
  std::string binary(100'000, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 31);
  for (const std::string& payload : {std::string(), std::string("state"), binary}) {
    const auto path = dir / "op-0.state";
    auto info = write_snapshot_file(path, payload);
    REQUIRE(info);
    CHECK(info->payload_size == payload.size());
    CHECK(info->crc32 == crc32_of(payload));
    CHECK(std::filesystem::file_size(path) == snapshot_file_header_size + payload.size());
    auto back = read_snapshot_file(path);
    REQUIRE(back);
    CHECK(*back == payload);
    auto verified = verify_snapshot_file(path);
    REQUIRE(verified);
    CHECK(verified->crc32 == info->crc32);
  }
  // Written under a temporary name and renamed: nothing else is left in the directory.
  CHECK(names_in(dir.str()) == std::vector<std::string>{"op-0.state"});
}

TEST_CASE("checkpoint snapshot file: a missing file is an error naming it") {
  temp_dir dir;
  auto r = read_snapshot_file(dir / "gone-0.state");
  REQUIRE(!r);
  CHECK(r.error().code() == errc::io_error);
  CHECK(r.error().message() == dir / "gone-0.state" + ": snapshot file is missing");
}

TEST_CASE("checkpoint snapshot file: a truncated file says how many bytes it expected") {
  temp_dir dir;
  const auto path = dir / "op-1.state";
  REQUIRE(write_snapshot_file(path, std::string(100, 'x')));
  const std::string whole = read_file(path);
  REQUIRE(whole.size() == 124);

  write_file(path, whole.substr(0, 90));
  auto r = read_snapshot_file(path);
  REQUIRE(!r);
  CHECK(r.error().code() == errc::decode_failed);
  CHECK(r.error().message() == path + ": truncated: expected 124 bytes, found 90");
  CHECK(verify_snapshot_file(path).error().message() == r.error().message());

  write_file(path, whole.substr(0, 10));  // inside the header
  r = read_snapshot_file(path);
  REQUIRE(!r);
  CHECK(r.error().message() ==
        path + ": truncated: expected at least 24 bytes of header, found 10");

  write_file(path, "");
  CHECK(contains(read_snapshot_file(path).error().message(), "truncated"));

  write_file(path, whole + "extra");
  CHECK(read_snapshot_file(path).error().message() ==
        path + ": trailing bytes: expected 124 bytes, found 129");
}

TEST_CASE("checkpoint snapshot file: a flipped payload byte is a checksum mismatch") {
  temp_dir dir;
  const auto path = dir / "op-2.state";
  REQUIRE(write_snapshot_file(path, "some operator state"));
  std::string bytes = read_file(path);
  bytes[snapshot_file_header_size + 3] ^= 0x01;
  write_file(path, bytes);
  auto r = read_snapshot_file(path);
  REQUIRE(!r);
  CHECK(r.error().code() == errc::decode_failed);
  CHECK(contains(r.error().message(), path + ": checksum mismatch: the header says 0x"));
  CHECK(contains(r.error().message(), ", the payload has 0x"));
  CHECK(!verify_snapshot_file(path));
}

TEST_CASE("checkpoint snapshot file: wrong magic and a newer format version are named") {
  temp_dir dir;
  const auto path = dir / "op-3.state";
  REQUIRE(write_snapshot_file(path, "state"));
  const std::string good = read_file(path);

  std::string bytes = good;
  bytes[0] = 'X';
  write_file(path, bytes);
  CHECK(read_snapshot_file(path).error().message() == path + ": not a snapshot file (wrong magic)");
  write_file(path, "{\"json\": true}");
  CHECK(read_snapshot_file(path).error().message() == path + ": not a snapshot file (wrong magic)");

  bytes = good;
  bytes[8] = 2;  // the format version, little-endian
  write_file(path, bytes);
  auto r = read_snapshot_file(path);
  REQUIRE(!r);
  CHECK(r.error().code() == errc::decode_failed);
  CHECK(r.error().message() ==
        path + ": snapshot file format version 2, this build reads versions 1 to 1");
}
