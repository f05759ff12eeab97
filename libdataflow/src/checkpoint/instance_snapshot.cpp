#include "dataflow/checkpoint/instance_snapshot.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "dataflow/checkpoint/snapshot_file.hpp"

namespace dataflow {

namespace {

/// Encoded uids longer than this are cut and end in "~<crc32>" (file names stop at 255 bytes).
constexpr std::size_t max_uid_chars = 160;

bool is_plain(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

std::string snapshot_file_name(std::string_view uid, int subtask) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string name;
  for (char c : uid) {
    if (is_plain(c)) {
      name += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      name += '%';
      name += hex[b >> 4];
      name += hex[b & 15];
    }
  }
  if (name.size() > max_uid_chars) {
    const auto crc = crc32_of(uid);
    name.resize(max_uid_chars - 9);
    name += '~';
    for (int shift = 28; shift >= 0; shift -= 4) name += hex[(crc >> shift) & 15];
  }
  // The subtask is the part after the last '-', so "<uid>-<subtask>" never collides.
  name += '-';
  name += std::to_string(subtask);
  name += ".state";
  return name;
}

status write_deferred_bytes(instance_snapshot& snap) {
  if (!snap.deferred) return status::ok();
  auto deferred = std::move(snap.deferred);
  status s = (*deferred)(snap.bytes);
  deferred.reset();  // before the file is written: let the operator change those values again
  return s;
}

expected<subtask_state> write_instance_snapshot(const std::string& checkpoint_dir,
                                                const instance_snapshot& snap) {
  subtask_state st;
  st.subtask = snap.subtask;
  st.file = snapshot_file_name(snap.uid, snap.subtask);
  auto info =
      write_snapshot_file((std::filesystem::path(checkpoint_dir) / st.file).string(), snap.bytes);
  if (!info) return info.error();
  st.size = info->payload_size;
  st.crc32 = info->crc32;
  st.states = snap.states;
  st.source_position = snap.source_position;
  st.barrier_at_ms = snap.barrier_at_ms;
  st.alignment_ms = snap.alignment_ms;
  st.sync_ms = snap.sync_ms;
  if (snap.synced_at_ms > 0) {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    st.async_ms = std::max<std::int64_t>(0, now - snap.synced_at_ms);
  }
  return st;
}

}  // namespace dataflow
