// Writes lines to a file, or to numbered parts that roll over by size and/or by time. Names:
//   path "out/result.jsonl", one instance, no rolling  -> out/result.jsonl
//   instance i of a parallel sink                       -> out/result-<i>.jsonl
//   rolling (part n, from 0)                            -> out/result[-<i>].part<nnnnn>.jsonl
// so a glob of the base name reads the parts back in order. A part rolls before a line that
// would take it past `roll_bytes` (a part holds at least one line), or before the first line
// written `roll_interval` ms (processing time) after the part was opened; a new part is created
// when a line arrives, so there are no empty parts beyond the first.
// Thread-safety: one writer per sink instance.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/core/status.hpp"
#include "dataflow/time/timestamp.hpp"

namespace dataflow {

struct rolling_file_options {
  /// The base path. Required.
  std::string path;
  /// Roll when a part would exceed this many bytes; 0: never by size. Default: 0.
  std::uint64_t roll_bytes = 0;
  /// Roll parts older than this (processing time, ms); 0: never by time. Default: 0.
  duration_ms roll_interval = 0;
};

class rolling_file_writer {
 public:
  rolling_file_writer() = default;
  ~rolling_file_writer();
  rolling_file_writer(const rolling_file_writer&) = delete;
  rolling_file_writer& operator=(const rolling_file_writer&) = delete;

  /// Opens the first file (creating parent directories) for instance `subtask` of `parallelism`.
  status open(rolling_file_options opts, int subtask, int parallelism, timestamp now);
  /// Writes one or more whole lines (each ending in '\n'), rolling first if due.
  status write_lines(std::string_view lines, timestamp now);
  status flush();
  status close();

  /// Every file opened so far, in order.
  [[nodiscard]] const std::vector<std::string>& files() const noexcept { return files_; }
  /// The file name for part `part` (ignored without rolling).
  [[nodiscard]] std::string file_name(std::uint64_t part) const;

 private:
  status open_part(timestamp now);
  status write_raw(std::string_view bytes);

  rolling_file_options opts_;
  std::string suffix_;  // "-<i>" when parallel
  std::FILE* f_ = nullptr;
  std::uint64_t part_ = 0, part_bytes_ = 0;
  timestamp part_opened_ = 0;
  std::vector<std::string> files_;
};

}  // namespace dataflow
