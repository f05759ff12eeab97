// Writes lines to a file, or to numbered parts that roll over by size and/or by time. Names:
//   path "out/result.jsonl", one instance, no rolling  -> out/result.jsonl
//   instance i of a parallel sink                       -> out/result-<i>.jsonl
//   rolling (part n, from 0)                            -> out/result[-<i>].part<nnnnn>.jsonl
// so a glob of the base name reads the parts back in order. A part rolls before a line that
// would take it past `roll_bytes` (a part holds at least one line), or before the first line
// written `roll_interval` ms (processing time) after the part was opened; a new part is created
// when a line arrives, so there are no empty parts beyond the first.
//
// Two-phase commit (`pending`, for exactly-once output with checkpoints): parts are always
// numbered, created only when a line arrives, and written under a hidden pending name,
//   out/result[-<i>].part<nnnnn>.jsonl  is first  out/.result[-<i>].part<nnnnn>.jsonl.inprogress
// which no glob of the base name and no directory input sees. seal() ends the open part durably
// (fsync) and hands over the final names of the parts ended since the last seal; commit() later
// renames them to those names (atomically, then fsyncs the directory). After a restore,
// discard_pending() deletes the instance's pending files that no checkpoint covers.
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
  /// Write parts under pending names until commit() (see above). Default: false.
  bool pending = false;
};

class rolling_file_writer {
 public:
  rolling_file_writer() = default;
  ~rolling_file_writer();
  rolling_file_writer(const rolling_file_writer&) = delete;
  rolling_file_writer& operator=(const rolling_file_writer&) = delete;

  /// Opens the first file (creating parent directories) for instance `subtask` of `parallelism`;
  /// with `pending`, only creates the directories (the first part comes with the first line).
  status open(rolling_file_options opts, int subtask, int parallelism, timestamp now);
  /// Writes one or more whole lines (each ending in '\n'), rolling first if due.
  status write_lines(std::string_view lines, timestamp now);
  status flush();
  /// Ends the open part (fsync'd with `pending`); the next line starts a new one.
  status close();

  // -- two-phase commit (`pending`) -------------------------------------------------------

  /// Ends the open part durably and returns the final names of the parts ended since the last
  /// seal (by rolling, close() or this call), in order; empty when nothing was written.
  expected<std::vector<std::string>> seal();
  /// Makes sealed parts visible: renames each one's pending file to its final name, then
  /// fsyncs their directories. A part already visible is fine (a commit repeated after a
  /// restore); errc::io_error when neither file exists (the output is lost).
  static status commit(const std::vector<std::string>& final_names);
  /// The hidden name a part has until commit: "dir/.<name>.inprogress".
  static std::string pending_name(const std::string& final_name);
  /// After a restore, once open: deletes this instance's pending files (written after the
  /// checkpoint restored; commit its parts first) and numbers the next part `next_part`.
  status discard_pending(std::uint64_t next_part);
  /// True when no part is open and every part ended is sealed.
  [[nodiscard]] bool all_sealed() const noexcept { return f_ == nullptr && ended_.empty(); }
  /// The number the next part gets.
  [[nodiscard]] std::uint64_t next_part() const noexcept { return next_part_; }

  /// Every file opened so far, in order (final names).
  [[nodiscard]] const std::vector<std::string>& files() const noexcept { return files_; }
  /// The file name for part `part` (ignored without rolling or `pending`).
  [[nodiscard]] std::string file_name(std::uint64_t part) const;

 private:
  status open_part(timestamp now);
  status write_raw(std::string_view bytes);

  rolling_file_options opts_;
  std::string suffix_;  // "-<i>" when parallel
  std::FILE* f_ = nullptr;
  std::string open_path_;  // the file f_ writes (the pending name with `pending`)
  std::uint64_t next_part_ = 0, part_bytes_ = 0;
  timestamp part_opened_ = 0;
  std::vector<std::string> files_;
  std::vector<std::string> ended_;  // with `pending`: parts ended since the last seal()
};

}  // namespace dataflow
