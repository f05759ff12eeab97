#include "checkpoint_directory.hpp"

#include <algorithm>
#include <charconv>

#include "dataflow/checkpoint/metadata_file.hpp"
#include "dataflow/checkpoint/snapshot_file.hpp"
#include "durable_file.hpp"

namespace dataflow::internal {

namespace fs = std::filesystem;

namespace {

status check_against_metadata(const fs::path& file, const snapshot_file_info& info,
                              const subtask_state& st) {
  if (info.payload_size != st.size || info.crc32 != st.crc32)
    return {errc::decode_failed, file.string() + ": holds " + std::to_string(info.payload_size) +
                                     " bytes with checksum " + std::to_string(info.crc32) +
                                     ", the metadata says " + std::to_string(st.size) +
                                     " bytes with checksum " + std::to_string(st.crc32)};
  return status::ok();
}

}  // namespace

std::optional<std::int64_t> parse_numbered_name(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return {};
  const auto digits = name.substr(prefix.size());
  if (digits.front() == '-' || digits.front() == '+') return {};
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size()) return {};
  return id;
}

expected<std::vector<numbered_dir>> list_numbered_dirs(const fs::path& base,
                                                       std::string_view prefix) {
  std::vector<numbered_dir> out;
  std::error_code ec;
  if (!fs::exists(base, ec)) return out;
  fs::directory_iterator it(base, ec);
  if (ec) return io_error(base, "cannot list", ec.value());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return io_error(base, "cannot list", ec.value());
    std::error_code dir_ec;
    if (!it->is_directory(dir_ec)) continue;
    if (auto id = parse_numbered_name(it->path().filename().string(), prefix))
      out.push_back({*id, it->path()});
  }
  if (ec) return io_error(base, "cannot list", ec.value());
  std::sort(out.begin(), out.end(),
            [](const numbered_dir& a, const numbered_dir& b) { return a.id < b.id; });
  return out;
}

status verify_checkpoint_files(const fs::path& dir, const checkpoint_metadata& md) {
  for (auto& op : md.operators)
    for (auto& st : op.subtasks) {
      const auto file = dir / st.file;
      auto info = verify_snapshot_file(file.string());
      if (!info) return info.error();
      if (auto s = check_against_metadata(file, *info, st); !s) return s;
    }
  return status::ok();
}

expected<std::vector<std::vector<std::string>>> read_checkpoint_files(
    const fs::path& dir, const checkpoint_metadata& md) {
  std::vector<std::vector<std::string>> out;
  for (auto& op : md.operators) {
    auto& bytes = out.emplace_back();
    for (auto& st : op.subtasks) {
      const auto file = dir / st.file;
      snapshot_file_info info;
      auto payload = read_snapshot_file(file.string(), &info);
      if (!payload) return payload.error();
      if (auto s = check_against_metadata(file, info, st); !s) return s;
      bytes.push_back(std::move(*payload));
    }
  }
  return out;
}

expected<std::optional<accepted_checkpoint>> newest_accepted_checkpoint(
    const fs::path& base, const checkpoint_acceptor& accept, std::vector<std::string>& skipped) {
  auto dirs = list_numbered_dirs(base, checkpoint_dir_prefix);
  if (!dirs) return dirs.error();
  for (auto it = dirs->rbegin(); it != dirs->rend(); ++it) {
    const std::string name = it->path.filename().string();
    std::error_code ec;
    if (!fs::exists(it->path / metadata_file_name, ec)) {
      skipped.push_back(name + ": incomplete: no " + std::string(metadata_file_name) +
                        " (in progress or abandoned)");
      continue;
    }
    auto md = read_metadata_file(it->path.string());
    if (!md) {
      skipped.push_back(name + ": " + md.error().message());
      continue;
    }
    if (md->id != it->id) {
      skipped.push_back(name + ": its metadata is of checkpoint " + std::to_string(md->id));
      continue;
    }
    if (auto s = accept(it->path, *md); !s) {
      skipped.push_back(name + ": " + s.message());
      continue;
    }
    return std::optional<accepted_checkpoint>(accepted_checkpoint{*it, std::move(*md)});
  }
  return std::optional<accepted_checkpoint>();
}

}  // namespace dataflow::internal
