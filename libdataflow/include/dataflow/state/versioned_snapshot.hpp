// The envelope of every snapshot: a format version, then the parts, in one cereal binary
// archive. Reading checks the version before it touches the parts, so a snapshot of another
// version or a truncated one is an errc::decode_failed that names what it was and leaves the
// parts as they were on a version mismatch.
//
//   std::string bytes = write_versioned_snapshot(1, store_bytes, wm_);
//   if (auto s = read_versioned_snapshot(bytes, 1, "window", store_bytes, wm_); !s) return s;
//
// Large parts are written in place rather than copied in (the same bytes):
//
//   detail::append_cereal(out, std::uint32_t{1});
//   auto store = [&](std::string& o) { return store_.append_snapshot(o); };
//   if (auto s = append_nested_snapshot(out, store); !s) return s;
//   detail::append_cereal(out, wm_);
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <exception>
#include <istream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <cereal/archives/binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include "dataflow/core/status.hpp"
#include "dataflow/state/detail/cereal_bytes.hpp"

namespace dataflow {

/// Appends to `out` what cereal writes for a std::string holding the bytes `fill(out)` appends:
/// its length, then the bytes. The length is written as a placeholder and set afterwards, so a
/// nested snapshot (a state inside a store inside an operator) is written once, in place,
/// instead of being copied into each enclosing envelope. `fill` returns status; on error `out`
/// is left with the partial bytes and the error is returned.
template <class Fill>
status append_nested_snapshot(std::string& out, Fill&& fill) {
  const std::size_t at = out.size();
  const cereal::size_type placeholder = 0;
  out.append(reinterpret_cast<const char*>(&placeholder), sizeof placeholder);
  if (status s = fill(out); !s) return s;
  const auto n = static_cast<cereal::size_type>(out.size() - at - sizeof placeholder);
  std::memcpy(out.data() + at, &n, sizeof n);
  return status::ok();
}

template <class... Parts>
std::string write_versioned_snapshot(std::uint32_t version, const Parts&... parts) {
  std::string out;  // large parts are written in place instead (append_nested_snapshot)
  detail::append_cereal(out, version, parts...);
  return out;
}

/// Reads what write_versioned_snapshot wrote with version `expected`; `what` names the owner
/// in errors ("window snapshot has format version 2, expected 1").
template <class... Parts>
status read_versioned_snapshot(std::string_view bytes, std::uint32_t expected,
                               std::string_view what, Parts&... parts) {
  std::string name(what);
  try {
    detail::view_read_buf buf(bytes);  // no copy of what may be hundreds of MB
    std::istream is(&buf);
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
