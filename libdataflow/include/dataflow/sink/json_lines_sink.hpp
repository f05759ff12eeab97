// Sinks that write a stream as JSON lines: to a file (one, or rolling parts; see
// rolling_file_writer.hpp for names), or to stdout. They write rows, dead letters, or any `T`
// with a function `append_json_line(std::string&, const T&)` found by ADL. With
// `write_watermarks`, each watermark the sink receives is written as `{"watermark":<ms>}` in
// order with the data (the final one at the end of a bounded input is 9223372036854775807).
//
//   json_sink_options o;
//   o.path = "out/results.jsonl";   // "" or "-": stdout
//   o.roll_bytes = 64 << 20;        // parts of at most 64 MiB
//   stream.sink_to_json_lines(o);
//   rows.side_output(json_lines_dead_letters).sink_to_json_lines({.path = "bad.jsonl"});
//
// A batch becomes one buffer and one write. Files are flushed at checkpoints and closed at the
// end of input. A write error throws (the job fails with the file and the reason).
// Thread-safety: one sink function per instance; stdout writes are whole batches.
#pragma once

#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>

#include "dataflow/io/dead_letter.hpp"
#include "dataflow/io/rolling_file_writer.hpp"
#include "dataflow/json/json_line_writer.hpp"
#include "dataflow/sink/sink_function.hpp"

namespace dataflow {

struct json_sink_options {
  /// The file to write; "" or "-" means stdout. Parallel instances add "-<i>" to the name.
  /// Default: stdout.
  std::string path;
  /// Roll to a new part before a part would exceed this many bytes; 0: never. Default: 0.
  std::uint64_t roll_bytes = 0;
  /// Roll to a new part when the part is this old (processing time, checked when data
  /// arrives); 0: never. Default: 0.
  duration_ms roll_interval = 0;
  /// Also write the watermarks received, as {"watermark":<ms>} lines. Default: false.
  bool write_watermarks = false;
  /// Processing time for roll_interval, in ms; tests inject one. Default: the system clock.
  std::function<timestamp()> clock;
};

/// Writes JSON lines to a file or stdout; see the top of this file.
template <class T>
class json_lines_sink_function final : public sink_function<T> {
 public:
  explicit json_lines_sink_function(json_sink_options opts) : opts_(std::move(opts)) {
    if (!opts_.clock)
      opts_.clock = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
  }

  void open(const operator_info& info) override {
    if (to_stdout()) return;
    rolling_file_options ro{opts_.path, opts_.roll_bytes, opts_.roll_interval};
    check(file_.open(std::move(ro), info.subtask, info.parallelism, opts_.clock()));
  }

  void write(const std::vector<record<T>>& rs) override {
    buf_.clear();
    for (auto& r : rs) append_json_line(buf_, r.value);
    put();
  }

  void on_watermark(timestamp wm) override {
    if (!opts_.write_watermarks) return;
    buf_.clear();
    append_watermark_line(buf_, wm);
    put();
  }

  void on_barrier(std::int64_t) override {
    if (to_stdout())
      std::fflush(stdout);
    else
      check(file_.flush());
  }

  void close() override {
    if (to_stdout())
      std::fflush(stdout);
    else
      check(file_.close());
  }

  /// The files written so far (empty for stdout).
  [[nodiscard]] const std::vector<std::string>& files() const noexcept { return file_.files(); }

 private:
  [[nodiscard]] bool to_stdout() const noexcept { return opts_.path.empty() || opts_.path == "-"; }

  void put() {
    if (buf_.empty()) return;
    if (to_stdout()) {
      std::fwrite(buf_.data(), 1, buf_.size(), stdout);
      return;
    }
    check(file_.write_lines(buf_, opts_.roll_interval > 0 ? opts_.clock() : 0));
  }

  static void check(const status& s) {
    if (!s) throw std::runtime_error(s.message());
  }

  json_sink_options opts_;
  rolling_file_writer file_;
  std::string buf_;
};

}  // namespace dataflow
