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
// A batch becomes one buffer and one write. Files are closed at the end of input. A write
// error throws (the job fails with the file and the reason).
//
// Exactly once, with checkpoints (operator_info::checkpointing, or after a restore): the file
// sink commits in two phases. Parts are numbered and written under hidden pending names (see
// rolling_file_writer.hpp); at a barrier the open part is sealed (fsync'd) and recorded in the
// snapshot as pending for that checkpoint; when the checkpoint completes, every part pending
// for it or an earlier one is renamed to its final name. A restore (always from a completed
// checkpoint) commits the parts pending in its snapshot, deletes this instance's other pending
// files (output after the checkpoint, which the job writes again) and numbers parts on from
// the snapshot; a start without a restore deletes them all. At the end of a bounded input the
// last part and everything still pending is committed, as Flink's final checkpoint does.
// Without checkpoints files are written straight under their names and barriers only flush.
// Stdout is never exactly-once.
//
// Thread-safety: one sink function per instance; stdout writes are whole batches.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <cereal/types/vector.hpp>

#include "dataflow/io/dead_letter.hpp"
#include "dataflow/io/rolling_file_writer.hpp"
#include "dataflow/json/json_line_writer.hpp"
#include "dataflow/sink/sink_function.hpp"
#include "dataflow/state/versioned_snapshot.hpp"

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
    two_phase_ = info.checkpointing || info.restoring || restored_;
    rolling_file_options ro{opts_.path, opts_.roll_bytes, opts_.roll_interval, two_phase_};
    check(file_.open(std::move(ro), info.subtask, info.parallelism, opts_.clock()));
    unsettled_ = two_phase_;
    // A restore that is still to come (after open) settles on first use instead.
    if (!info.restoring || restored_) settle();
  }

  void write(const std::vector<record<T>>& rs) override {
    settle();
    buf_.clear();
    for (auto& r : rs) append_json_line(buf_, r.value);
    put();
  }

  void on_watermark(timestamp wm) override {
    if (!opts_.write_watermarks) return;
    settle();
    buf_.clear();
    append_watermark_line(buf_, wm);
    put();
  }

  void on_barrier(std::int64_t checkpoint) override {
    settle();
    if (to_stdout()) {
      std::fflush(stdout);
    } else if (two_phase_) {
      auto sealed = file_.seal();
      if (!sealed) check(sealed.error());
      for (auto& name : *sealed) pending_.push_back({checkpoint, std::move(name)});
    } else {
      check(file_.flush());
    }
  }

  void notify_checkpoint_complete(std::int64_t checkpoint) override {
    settle();
    if (two_phase_) check(rolling_file_writer::commit(names_up_to(checkpoint)));
  }

  [[nodiscard]] status snapshot(std::string& out) const override {
    if (!two_phase_) {
      out.clear();
      return status::ok();
    }
    if (!file_.all_sealed())
      return {errc::operator_failed, "JSON-lines sink '" + opts_.path +
                                         "': snapshot without a barrier first: the open part "
                                         "would belong to no checkpoint"};
    out = write_versioned_snapshot(snapshot_version, file_.next_part(), pending_);
    return status::ok();
  }

  [[nodiscard]] status restore(std::string_view bytes) override {
    if (bytes.empty()) return status::ok();  // written without checkpoints: nothing pending
    std::uint64_t next_part = 0;
    std::vector<pending_part> pending;
    if (auto s =
            read_versioned_snapshot(bytes, snapshot_version, "JSON-lines sink", next_part, pending);
        !s)
      return s;
    restored_ = true;
    restored_next_part_ = std::max(restored_next_part_, next_part);
    pending_.insert(pending_.end(), pending.begin(), pending.end());
    return status::ok();
  }

  void close() override {
    settle();
    if (to_stdout()) {
      std::fflush(stdout);
    } else if (two_phase_) {
      on_barrier(max_checkpoint);  // the end of input is the final checkpoint
      notify_checkpoint_complete(max_checkpoint);
    } else {
      check(file_.close());
    }
  }

  /// The files written so far (empty for stdout), by their final names.
  [[nodiscard]] const std::vector<std::string>& files() const noexcept { return file_.files(); }

 private:
  // A sealed part waiting for its checkpoint to complete.
  struct pending_part {
    std::int64_t checkpoint = 0;
    std::string file;  // the final name

    template <class Archive>
    void serialize(Archive& ar) {
      ar(checkpoint, file);
    }
  };
  // Version 1: the next part's number, the pending parts.
  static constexpr std::uint32_t snapshot_version = 1;
  static constexpr std::int64_t max_checkpoint = std::numeric_limits<std::int64_t>::max();

  // Takes the pending parts of `checkpoint` and earlier out of pending_.
  std::vector<std::string> names_up_to(std::int64_t checkpoint) {
    std::vector<std::string> names;
    std::erase_if(pending_, [&](pending_part& p) {
      if (p.checkpoint > checkpoint) return false;
      names.push_back(std::move(p.file));
      return true;
    });
    return names;
  }

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
  /// Once, before the first output or barrier (after a restore, if any): a restored instance
  /// publishes what its complete checkpoint sealed (the notification may have been lost) and
  /// deletes later pending output, which will be written again; a fresh start deletes the
  /// pending output of an earlier run.
  void settle() {
    if (!unsettled_) return;
    unsettled_ = false;
    if (restored_) {
      check(rolling_file_writer::commit(names_up_to(max_checkpoint)));
      check(file_.discard_pending(restored_next_part_));
    } else {
      check(file_.discard_pending(0));
    }
  }

  bool two_phase_ = false, restored_ = false, unsettled_ = false;
  std::uint64_t restored_next_part_ = 0;
  std::vector<pending_part> pending_;  // in checkpoint order
};

}  // namespace dataflow
