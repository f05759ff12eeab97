// A bounded source of rows from JSON-lines files: one file, a directory or a glob (see
// input_files.hpp), read in name order, each plain or gzip. Every line is parsed by a
// json_line_parser (see json_line_parser.hpp for what a line becomes); event time comes from a
// named field (epoch ms, epoch s or ISO-8601).
//
//   json_source_options o;
//   o.path = "history/*.jsonl.gz";
//   o.parse.timestamp_field = "ts";
//   o.parse.time = time_format::iso8601;
//   o.watermarks = watermark_strategy::bounded_out_of_orderness(5000);
//   auto rows = env.from_json_lines(o);                         // data_stream<row>
//   rows.side_output(json_lines_dead_letters).sink_to_json_lines({.path = "bad.jsonl"});
//
// Parallel instances split the files: instance i reads files i, i + p, i + 2p, ... one after
// the other. Each file is a split with its own watermark generator (split_watermarks); the
// instance's watermark is the minimum over its open files and never goes backwards, so files
// an instance reads later should not be older than the ones before (true of rolled logs).
//
// Watermarks: `watermarks` is any strategy, applied to the rows' timestamps per file; or, with
// `watermarks_in_input`, the input's own `{"watermark": <ms>}` lines are the watermarks
// (punctuated), and `watermarks` only lends its idleness timeout. Watermark lines are never
// records; without `watermarks_in_input` they are read and dropped.
//
// Bad lines (malformed, missing/unparsable timestamp, wrong field type) and read errors (a
// truncated gzip file) become dead_letter records on the side output `json_lines_dead_letters`
// and are counted; the job keeps going. Nothing is lost silently.
//
// Checkpoints: snapshot() saves, per file of the instance that it finished or started, the
// file's place in the input and its name, the byte offset of the next line and the line
// number, its counts, and its watermark state; restore() then open() go on from exactly
// there. A plain file is resumed by a seek; a gzip file is decompressed again from its start
// and skipped up to the (uncompressed) offset. The files are listed again at open(): the same
// file must be at the same place in the input, so files may be added after the ones read
// (rolled logs), not before.
//
// Restored at another parallelism (restore_rescaled, with every old instance's snapshot), an
// instance takes the files it owns now: finished ones are skipped, started ones resume where
// they were, the others are read from the start, all in name order. A started file that waits
// for its turn keeps its watermark state in the minimum (paused, never idle), so the
// instance's watermark is never ahead of a file it has yet to finish.
//
// Thread-safety: one reader per source instance; the progress object is shared and atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dataflow/api/output_tag.hpp"
#include "dataflow/io/dead_letter.hpp"
#include "dataflow/io/line_reader.hpp"
#include "dataflow/json/json_line_parser.hpp"
#include "dataflow/source/restored_splits.hpp"
#include "dataflow/source/source_reader.hpp"
#include "dataflow/time/split_watermarks.hpp"

namespace dataflow {

/// The side output of a JSON-lines source that carries its dead letters.
inline const output_tag<dead_letter> json_lines_dead_letters{"dead_letters"};

/// Counters shared by all instances of one source, for progress displays and summaries.
/// Read them from any thread while the job runs.
struct json_source_progress {
  std::atomic<std::uint64_t> records{0};       // rows emitted
  std::atomic<std::uint64_t> dead_letters{0};  // lines rejected (and read errors)
  std::atomic<std::uint64_t> watermark_lines{0};
  std::atomic<std::uint64_t> lines{0};             // lines read, of every kind
  std::atomic<std::uint64_t> bytes{0};             // uncompressed bytes read
  std::atomic<std::uint64_t> file_bytes_read{0};   // bytes consumed from the files
  std::atomic<std::uint64_t> file_bytes_total{0};  // sizes of the files, added when opened
  std::atomic<std::uint64_t> files_done{0};

  /// The fraction of the input read, 0..1, by file bytes (compressed bytes for gzip).
  [[nodiscard]] double fraction() const noexcept {
    auto total = file_bytes_total.load();
    return total == 0 ? 0.0
                      : std::min(1.0, static_cast<double>(file_bytes_read.load()) /
                                          static_cast<double>(total));
  }
};

struct json_source_options {
  /// A file, a directory or a glob. Required.
  std::string path;
  /// How lines are parsed: timestamp field and format, watermark lines, field types.
  json_parse_options parse;
  /// The watermark strategy, per file. Default: none (only the final watermark at the end).
  watermark_strategy watermarks = watermark_strategy::none();
  /// Use the input's watermark lines as the watermarks (punctuated). Default: false.
  bool watermarks_in_input = false;
  /// Where instances add their counts; optional. Default: none.
  std::shared_ptr<json_source_progress> progress;
  /// Bytes read from a file at a time. Default: 256 KiB.
  std::size_t read_buffer = 1 << 18;
};

/// Where an instance is in its input: enough to resume reading after a restart.
struct json_source_position {
  /// Index into the instance's files (not the whole list).
  std::size_t file = 0;
  /// Uncompressed byte offset of the next line in that file.
  std::uint64_t offset = 0;
  /// The number of the last line read in that file.
  std::uint64_t line = 0;
  friend bool operator==(const json_source_position&, const json_source_position&) = default;
};

class json_lines_source_reader final : public source_reader {
 public:
  /// `name` is the source's name in dead letters.
  json_lines_source_reader(json_source_options opts, std::string name);
  ~json_lines_source_reader() override;

  /// Lists the files and takes this instance's share; throws std::runtime_error when the path
  /// names no file (the job fails with that message).
  void open(const operator_context& ctx) override;
  poll_result poll(operator_output& out, std::size_t max_records, timestamp now) override;
  /// Records emitted so far by this instance.
  [[nodiscard]] std::uint64_t position() const noexcept override { return records_; }

  /// Writes the read position in every file started or finished, the counts and the watermark
  /// state (versioned, cereal).
  [[nodiscard]] status snapshot(std::string& out) const override;
  /// Reads what snapshot() wrote, before open(); open() reopens the file and resumes there, and
  /// throws std::runtime_error when the input no longer matches (the file is gone, shorter, or
  /// another file is in its place) or the instance is not the one that wrote the snapshot.
  [[nodiscard]] status restore(std::string_view bytes) override;
  /// Reads every old instance's snapshot, before open(), which takes this instance's files.
  [[nodiscard]] status restore_rescaled(std::span<const std::string_view> pieces) override;

  /// Where this instance is: file index, offset, line.
  [[nodiscard]] json_source_position read_position() const noexcept;
  /// This instance's files, in reading order.
  [[nodiscard]] const std::vector<std::string>& files() const noexcept { return files_; }
  [[nodiscard]] std::uint64_t dead_letters() const noexcept { return dead_letters_; }
  [[nodiscard]] const split_watermarks& watermarks() const noexcept { return watermarks_; }

 private:
  // Where an instance is in one file of the input, as snapshots record it.
  struct file_position {
    std::uint64_t split = 0;  // the file's index in the whole input (instance split % p reads it)
    std::string path;
    bool finished = false;
    std::uint64_t offset = 0, line = 0;  // not finished: where to go on
    timestamp last_ts = 0;               // the last good record's time when the file was left
    std::uint64_t records = 0, dead_letters = 0;  // read from this file
    std::uint64_t watermark = 0;  // not finished: its split in the snapshot's watermark state

    template <class Archive>
    void serialize(Archive& ar) {
      ar(split, path, finished, offset, line, last_ts, records, dead_letters, watermark);
    }
  };
  // One file of the instance's share, as far as it got.
  struct file_progress {
    enum class state : std::uint8_t { fresh, started, finished };
    state st = state::fresh;
    std::uint64_t offset = 0, line = 0;  // started and not open: where to go on
    timestamp last_ts = 0;
    std::uint64_t records = 0, dead_letters = 0;
    std::size_t watermark = 0;  // started: its split in watermarks_
  };
  using restored = restored_splits<file_position>;

  [[nodiscard]] expected<restored::piece> decode(std::string_view bytes) const;
  void take_restored();
  [[noreturn]] void fail_resume(const std::string& why) const;
  bool open_next_file(operator_output& out, timestamp now);
  void finish_file(operator_output& out, timestamp now);
  void reject(operator_output& out, std::string_view raw, std::string reason);

  json_source_options opts_;
  std::string name_;
  json_line_parser parser_;
  line_reader reader_;
  split_watermarks watermarks_;
  std::vector<std::string> files_;
  std::size_t file_ = 0;   // the file open or next to open
  std::size_t split_ = 0;  // the open file's split in watermarks_
  bool file_open_ = false;
  std::uint64_t records_ = 0, dead_letters_ = 0;
  // A dead letter has no event time of its own: it gets the last good record's, so dead
  // letters stay in time order with the data (0 before the first good record).
  timestamp last_ts_ = 0;
  std::uint64_t reported_file_bytes_ = 0;  // of the open file, added to progress so far
  int subtask_ = 0, parallelism_ = 0;      // from open(); 0: not opened
  std::vector<file_progress> progress_;    // per file of files_
  restored restored_;                      // between restore() and open()
};

}  // namespace dataflow
