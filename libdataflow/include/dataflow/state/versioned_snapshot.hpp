// The envelope of every snapshot: a format version, then the parts, in one cereal binary
// archive. Reading checks the version before it touches the parts, so a snapshot of another
// version or a truncated one is an errc::decode_failed that names what it was and leaves the
// parts as they were on a version mismatch.
//
//   std::string bytes = write_versioned_snapshot(1, store_bytes, wm_);
//   if (auto s = read_versioned_snapshot(bytes, 1, "window", store_bytes, wm_); !s) return s;
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <exception>
#include <sstream>
#include <string>
#include <string_view>

#include <cereal/archives/binary.hpp>
#include <cereal/types/string.hpp>

#include "dataflow/core/status.hpp"

namespace dataflow {

template <class... Parts>
std::string write_versioned_snapshot(std::uint32_t version, const Parts&... parts) {
  std::ostringstream os(std::ios::binary);
  {
    cereal::BinaryOutputArchive ar(os);
    ar(version, parts...);
  }
  return std::move(os).str();
}

/// Reads what write_versioned_snapshot wrote with version `expected`; `what` names the owner
/// in errors ("window snapshot has format version 2, expected 1").
template <class... Parts>
status read_versioned_snapshot(std::string_view bytes, std::uint32_t expected,
                               std::string_view what, Parts&... parts) {
  std::string name(what);
  try {
    std::istringstream is{std::string(bytes), std::ios::binary};
    cereal::BinaryInputArchive ar(is);
    std::uint32_t version = 0;
    ar(version);
    if (version != expected) {
      name += " snapshot has format version ";
      name += std::to_string(version);
      name += ", expected ";
      name += std::to_string(expected);
      return {errc::decode_failed, std::move(name)};
    }
    ar(parts...);
  } catch (const std::exception& e) {
    name += " snapshot: ";
    name += e.what();
    return {errc::decode_failed, std::move(name)};
  }
  return status::ok();
}

}  // namespace dataflow
