#include "dataflow/io/json_lines_source.hpp"

#include <filesystem>
#include <stdexcept>
#include <utility>

#include "dataflow/io/input_files.hpp"
#include "dataflow/state/versioned_snapshot.hpp"
#include "dataflow/time/watermark_state.hpp"

namespace dataflow {
namespace {

// What the per-file generators see when the input's watermark lines are the watermarks: a
// watermark line carries one, a record none (it still counts as activity for idleness).
struct input_watermark {
  std::optional<timestamp> wm;
};

// Version 1: resume_point, records, dead letters, last good timestamp, watermark state.
constexpr std::uint32_t snapshot_version = 1;

watermark_strategy effective_strategy(const json_source_options& o) {
  if (!o.watermarks_in_input) return o.watermarks;
  return watermark_strategy::punctuated<input_watermark>(
             [](const input_watermark& w) { return w.wm; })
      .with_idleness(o.watermarks.idle_timeout());
}

}  // namespace

json_lines_source_reader::json_lines_source_reader(json_source_options opts, std::string name)
    : opts_(std::move(opts)),
      name_(std::move(name)),
      parser_(opts_.parse),
      reader_(opts_.read_buffer),
      watermarks_(effective_strategy(opts_)) {}

json_lines_source_reader::~json_lines_source_reader() = default;

void json_lines_source_reader::open(const operator_context& ctx) {
  if (!opts_.watermarks_in_input && !opts_.watermarks.accepts<row>())
    throw std::runtime_error("JSON-lines source '" + name_ +
                             "': a punctuated watermark strategy must read rows; for watermark "
                             "lines in the input set watermarks_in_input");
  auto all = list_input_files(opts_.path);
  if (!all) throw std::runtime_error(all.error().message());
  auto p = static_cast<std::size_t>(ctx.info.parallelism);
  std::uint64_t total = 0;
  for (auto i = static_cast<std::size_t>(ctx.info.subtask); i < all->size(); i += p) {
    files_.push_back((*all)[i]);
    std::error_code ec;
    auto size = std::filesystem::file_size(files_.back(), ec);
    if (!ec) total += size;
  }
  if (opts_.progress) opts_.progress->file_bytes_total += total;
  subtask_ = ctx.info.subtask;
  parallelism_ = ctx.info.parallelism;
  if (resume_) resume(*std::exchange(resume_, std::nullopt));
}

void json_lines_source_reader::resume(const resume_point& at) {
  auto fail = [&](const std::string& why) {
    throw std::runtime_error("JSON-lines source '" + name_ +
                             "' cannot resume from the checkpoint: " + why);
  };
  if (at.parallelism != 0 && (at.subtask != subtask_ || at.parallelism != parallelism_))
    fail("it was written by instance " + std::to_string(at.subtask) + " of " +
         std::to_string(at.parallelism) + ", this is instance " + std::to_string(subtask_) +
         " of " + std::to_string(parallelism_) + " (keep the parallelism of the source)");
  if (at.file > files_.size() || (at.file == files_.size() && !at.path.empty()))
    fail("'" + at.path + "' is no longer in the input");
  if (at.file < files_.size() && !at.path.empty() && files_[at.file] != at.path)
    fail("'" + at.path + "' was this instance's file " + std::to_string(at.file + 1) +
         ", which is now '" + files_[at.file] + "' (files may be added after, not before)");
  if (at.open && watermarks_.size() == 0) fail("the snapshot has no watermark state for its file");
  file_ = static_cast<std::size_t>(at.file);
  if (at.open) {
    if (auto s = reader_.open(files_[file_]); !s) fail(s.message());
    if (auto s = reader_.seek(at.offset, at.line); !s) fail(s.message());
    file_open_ = true;
    split_ = watermarks_.size() - 1;  // files open in order, each adding a split
  }
  if (opts_.progress) {
    auto& p = *opts_.progress;
    for (std::size_t i = 0; i < file_; ++i) {
      std::error_code ec;
      auto size = std::filesystem::file_size(files_[i], ec);
      if (!ec) p.file_bytes_read += size;
    }
    p.files_done += file_;
    reported_file_bytes_ = file_open_ ? reader_.file_bytes_read() : 0;
    p.file_bytes_read += reported_file_bytes_;
    p.records += records_;
    p.dead_letters += dead_letters_;
  }
}

status json_lines_source_reader::snapshot(std::string& out) const {
  resume_point at = resume_.value_or(resume_point{});  // restored, not opened yet
  if (!resume_) {
    at.subtask = subtask_;
    at.parallelism = parallelism_;
    at.file = file_;
    if (file_ < files_.size()) at.path = files_[file_];
    at.open = file_open_;
    if (file_open_) {
      at.offset = reader_.offset();
      at.line = reader_.line_number();
    }
  }
  out = write_versioned_snapshot(snapshot_version, at, records_, dead_letters_, last_ts_,
                                 watermark_state(watermarks_));
  return status::ok();
}

status json_lines_source_reader::restore(std::string_view bytes) {
  resume_point at;
  std::uint64_t records = 0, dead = 0;
  timestamp last_ts = 0;
  split_watermarks wms(effective_strategy(opts_));
  auto wm = watermark_state(wms);
  auto what = "JSON-lines source '" + name_ + "'";
  if (auto s =
          read_versioned_snapshot(bytes, snapshot_version, what, at, records, dead, last_ts, wm);
      !s)
    return s;
  records_ = records;
  dead_letters_ = dead;
  last_ts_ = last_ts;
  watermarks_ = std::move(wms);
  resume_ = std::move(at);
  return status::ok();
}

void json_lines_source_reader::reject(operator_output& out, std::string_view raw,
                                      std::string reason) {
  out.side<dead_letter>(json_lines_dead_letters.id)
      .push_back(record<dead_letter>{dead_letter{name_, files_[file_], reader_.line_number(),
                                                 std::string(raw), std::move(reason)},
                                     last_ts_});
  ++dead_letters_;
  if (opts_.progress) ++opts_.progress->dead_letters;
}

bool json_lines_source_reader::open_next_file(operator_output& out, timestamp now) {
  while (file_ < files_.size()) {
    if (auto s = reader_.open(files_[file_]); !s) {
      reject(out, "", s.message());
      if (opts_.progress) ++opts_.progress->files_done;
      ++file_;
      continue;
    }
    split_ = watermarks_.add_split(now);
    file_open_ = true;
    reported_file_bytes_ = 0;
    return true;
  }
  return false;
}

void json_lines_source_reader::finish_file(operator_output& out, timestamp now) {
  watermarks_.emit(out, now);  // the file's last watermark, before its split leaves
  watermarks_.finish_split(split_);
  if (opts_.progress) {
    std::error_code ec;
    auto size = std::filesystem::file_size(files_[file_], ec);
    if (!ec && size > reported_file_bytes_)
      opts_.progress->file_bytes_read += size - reported_file_bytes_;
    ++opts_.progress->files_done;
  }
  reader_.close();
  file_open_ = false;
  ++file_;
}

source_reader::poll_result json_lines_source_reader::poll(operator_output& out,
                                                          std::size_t max_records, timestamp now) {
  auto& rs = out.records<row>();
  const std::size_t first = rs.size();
  const std::size_t max_lines = max_records * 4 + 16;  // bounds a poll of mostly non-records
  std::size_t lines = 0, wm_lines = 0;
  std::uint64_t bytes = 0;
  bool stop = false;
  while (!stop && rs.size() - first < max_records && lines < max_lines) {
    if (!file_open_ && !open_next_file(out, now)) break;
    std::string_view line;
    if (!reader_.next(line)) {
      if (!reader_.error().is_ok()) reject(out, "", reader_.error().message());
      if (opts_.progress) {
        auto read = reader_.file_bytes_read();
        if (read > reported_file_bytes_)
          opts_.progress->file_bytes_read += read - reported_file_bytes_;
        reported_file_bytes_ = std::max(read, reported_file_bytes_);
      }
      finish_file(out, now);
      continue;
    }
    ++lines;
    bytes += line.size() + 1;
    auto& rec = rs.emplace_back();
    switch (parser_.parse(line, rec.value, rec.ts)) {
      case json_line_parser::outcome::record:
        last_ts_ = rec.ts;
        if (opts_.watermarks_in_input)
          watermarks_.on_record(split_, input_watermark{}, rec.ts);
        else
          watermarks_.on_record(split_, rec.value, rec.ts);
        break;
      case json_line_parser::outcome::watermark:
        rs.pop_back();
        ++wm_lines;
        if (opts_.watermarks_in_input) {
          watermarks_.on_record(split_, input_watermark{parser_.watermark()}, parser_.watermark());
          // End the poll here, so the watermark follows exactly the records before it.
          if (parser_.watermark() > watermarks_.current()) stop = true;
        }
        break;
      case json_line_parser::outcome::blank:
        rs.pop_back();
        break;
      case json_line_parser::outcome::error:
        rs.pop_back();
        reject(out, line, parser_.error());
        break;
    }
  }
  auto emitted = rs.size() - first;
  records_ += emitted;
  if (opts_.progress) {
    auto& p = *opts_.progress;
    p.records += emitted;
    p.lines += lines;
    p.bytes += bytes;
    p.watermark_lines += wm_lines;
    if (file_open_) {
      auto read = reader_.file_bytes_read();
      if (read > reported_file_bytes_) {
        p.file_bytes_read += read - reported_file_bytes_;
        reported_file_bytes_ = read;
      }
    }
  }
  watermarks_.emit(out, now);
  bool done = !file_open_ && file_ >= files_.size();
  return {done ? poll_result::kind::end : poll_result::kind::more, 0};
}

json_source_position json_lines_source_reader::read_position() const noexcept {
  return {file_, file_open_ ? reader_.offset() : 0, file_open_ ? reader_.line_number() : 0};
}

}  // namespace dataflow
