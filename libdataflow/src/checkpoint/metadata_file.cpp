#include "dataflow/checkpoint/metadata_file.hpp"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "durable_file.hpp"

namespace dataflow {

namespace {

using json = nlohmann::ordered_json;

/// Thrown inside the parser only, caught in metadata_from_json: a field is missing or wrong.
struct bad_field {
  std::string what;
};

const json& field(const json& obj, const char* name, const std::string& where) {
  auto it = obj.find(name);
  if (it == obj.end()) throw bad_field{where + ": missing '" + name + "'"};
  return *it;
}

template <class T>
T get(const json& obj, const char* name, const std::string& where) {
  const json& v = field(obj, name, where);
  try {
    return v.get<T>();
  } catch (const json::exception&) {
    throw bad_field{where + ": '" + name + "' has the wrong type (" + v.type_name() + ")"};
  }
}

json to_json(const subtask_state& s) {
  json j = {{"subtask", s.subtask}, {"file", s.file},     {"size", s.size},
            {"crc32", s.crc32},     {"states", s.states}, {"alignment_ms", s.alignment_ms}};
  if (s.source_position) j["source_position"] = *s.source_position;
  j["barrier_at_ms"] = s.barrier_at_ms;
  j["sync_ms"] = s.sync_ms;
  j["async_ms"] = s.async_ms;
  j["acknowledged_at_ms"] = s.acknowledged_at_ms;
  return j;
}

json to_json(const operator_state& op) {
  json subtasks = json::array();
  for (auto& s : op.subtasks) subtasks.push_back(to_json(s));
  return {{"uid", op.uid},
          {"name", op.name},
          {"kind", op.kind},
          {"keyed", op.keyed},
          {"source", op.source},
          {"parallelism", op.parallelism},
          {"max_parallelism", op.max_parallelism},
          {"subtasks", std::move(subtasks)}};
}

subtask_state subtask_from_json(const json& j, const std::string& where) {
  subtask_state s;
  s.subtask = get<int>(j, "subtask", where);
  s.file = get<std::string>(j, "file", where);
  s.size = get<std::uint64_t>(j, "size", where);
  s.crc32 = get<std::uint32_t>(j, "crc32", where);
  s.states = get<std::vector<std::string>>(j, "states", where);
  s.alignment_ms = get<std::int64_t>(j, "alignment_ms", where);
  if (j.contains("source_position"))
    s.source_position = get<std::uint64_t>(j, "source_position", where);
  // Measurements, absent from _metadata written before they were taken (read as 0).
  for (auto [name, to] :
       {std::pair{"barrier_at_ms", &s.barrier_at_ms}, std::pair{"sync_ms", &s.sync_ms},
        std::pair{"async_ms", &s.async_ms}, std::pair{"acknowledged_at_ms", &s.acknowledged_at_ms}})
    if (j.contains(name)) *to = get<std::int64_t>(j, name, where);
  if (s.file.empty() || s.file.find('/') != std::string::npos || s.file == "." || s.file == "..")
    throw bad_field{where + ": 'file' must name a file in the checkpoint directory"};
  return s;
}

operator_state operator_from_json(const json& j, const std::string& where) {
  operator_state op;
  op.uid = get<std::string>(j, "uid", where);
  op.name = get<std::string>(j, "name", where);
  op.kind = get<std::string>(j, "kind", where);
  op.keyed = get<bool>(j, "keyed", where);
  op.source = get<bool>(j, "source", where);
  op.parallelism = get<int>(j, "parallelism", where);
  op.max_parallelism = get<int>(j, "max_parallelism", where);
  const json& subtasks = field(j, "subtasks", where);
  if (!subtasks.is_array()) throw bad_field{where + ": 'subtasks' is not an array"};
  for (std::size_t i = 0; i < subtasks.size(); ++i) {
    const std::string w = where + ".subtasks[" + std::to_string(i) + "]";
    op.subtasks.push_back(subtask_from_json(subtasks[i], w));
    if (op.subtasks.back().subtask != static_cast<int>(i))
      throw bad_field{w + ": subtask " + std::to_string(op.subtasks.back().subtask) +
                      " out of order"};
  }
  if (op.parallelism < 1 || static_cast<std::size_t>(op.parallelism) != op.subtasks.size())
    throw bad_field{where + ": parallelism " + std::to_string(op.parallelism) + " but " +
                    std::to_string(op.subtasks.size()) + " subtasks"};
  return op;
}

}  // namespace

std::string metadata_to_json(const checkpoint_metadata& md) {
  json ops = json::array();
  for (auto& op : md.operators) ops.push_back(to_json(op));
  json j = {{"format_version", metadata_format_version},
            {"id", md.id},
            {"kind", std::string(to_string(md.kind))},
            {"created_ms", md.created_ms},
            {"job_name", md.job_name},
            {"max_parallelism", md.max_parallelism},
            {"stats", {{"duration_ms", md.stats.duration_ms}, {"size_bytes", md.stats.size_bytes}}},
            {"operators", std::move(ops)}};
  return j.dump(2) + "\n";
}

expected<checkpoint_metadata> metadata_from_json(std::string_view text, std::string_view origin) {
  const std::string name(origin);
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return status{errc::decode_failed, name + ": not valid JSON"};
  if (!j.is_object()) return status{errc::decode_failed, name + ": not a JSON object"};
  checkpoint_metadata md;
  try {
    const auto version = get<int>(j, "format_version", name);
    if (version < 1 || version > metadata_format_version)
      return status{errc::decode_failed, name + ": metadata format version " +
                                             std::to_string(version) +
                                             ", this build reads versions 1 to " +
                                             std::to_string(metadata_format_version)};
    md.id = get<std::int64_t>(j, "id", name);
    const auto kind = get<std::string>(j, "kind", name);
    if (kind == "checkpoint")
      md.kind = checkpoint_kind::checkpoint;
    else if (kind == "savepoint")
      md.kind = checkpoint_kind::savepoint;
    else
      return status{errc::decode_failed, name + ": unknown kind '" + kind + "'"};
    md.created_ms = get<std::int64_t>(j, "created_ms", name);
    md.job_name = get<std::string>(j, "job_name", name);
    md.max_parallelism = get<int>(j, "max_parallelism", name);
    const json& stats = field(j, "stats", name);
    md.stats.duration_ms = get<std::int64_t>(stats, "duration_ms", name + ": stats");
    md.stats.size_bytes = get<std::uint64_t>(stats, "size_bytes", name + ": stats");
    const json& ops = field(j, "operators", name);
    if (!ops.is_array()) return status{errc::decode_failed, name + ": 'operators' is not an array"};
    for (std::size_t i = 0; i < ops.size(); ++i)
      md.operators.push_back(
          operator_from_json(ops[i], name + ": operators[" + std::to_string(i) + "]"));
  } catch (const bad_field& e) {
    return status{errc::decode_failed, e.what};
  }
  return md;
}

status write_metadata_file(const std::string& checkpoint_dir, const checkpoint_metadata& md) {
  return internal::write_file_durably(std::filesystem::path(checkpoint_dir) / metadata_file_name,
                                      metadata_to_json(md));
}

expected<checkpoint_metadata> read_metadata_file(const std::string& checkpoint_dir) {
  const auto path = std::filesystem::path(checkpoint_dir) / metadata_file_name;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec) && !ec)
    return status{errc::io_error, path.string() + ": missing: the checkpoint is incomplete"};
  std::ifstream f(path, std::ios::binary);
  if (!f) return internal::io_error(path, "cannot open", errno);
  std::ostringstream text;
  text << f.rdbuf();
  if (f.bad()) return internal::io_error(path, "cannot read", errno);
  return metadata_from_json(text.str(), path.string());
}

}  // namespace dataflow
