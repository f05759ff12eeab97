#include "dataflow/io/json_lines_source.hpp"

#include <filesystem>
#include <stdexcept>
#include <utility>

#include "dataflow/io/input_files.hpp"
#include "dataflow/record/record_type.hpp"
#include "dataflow/state/versioned_snapshot.hpp"
#include "dataflow/time/watermark_state.hpp"

namespace dataflow {
namespace {

// What the per-file generators see when the input's watermark lines are the watermarks: a
// watermark line carries one, a record none (it still counts as activity for idleness).
struct input_watermark {
  std::optional<timestamp> wm;
};

// Version 2: the writer's subtask and parallelism, a position per file started or finished,
// the watermark state. (Version 1 had one position in the instance's share of the files,
// which cannot be redistributed to another parallelism.)
constexpr std::uint32_t snapshot_version = 2;

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
  progress_.assign(files_.size(), file_progress{});
  if (!restored_.empty()) take_restored();
}

void json_lines_source_reader::fail_resume(const std::string& why) const {
  throw std::runtime_error("JSON-lines source '" + name_ +
                           "' cannot resume from the checkpoint: " + why);
}

void json_lines_source_reader::take_restored() {
  if (auto s =
          restored_.check(subtask_, parallelism_,
                          "JSON-lines source '" + name_ + "' cannot resume from the checkpoint");
      !s)
    throw std::runtime_error(s.message());
  const auto p = static_cast<std::uint64_t>(parallelism_);
  const auto emitted = restored_.take(
      subtask_, parallelism_, [&](const file_position& at, const split_watermarks& from) {
        const auto k = static_cast<std::size_t>(at.split / p);  // at.split % p == subtask_
        if (k >= files_.size()) fail_resume("'" + at.path + "' is no longer in the input");
        if (files_[k] != at.path)
          fail_resume("'" + at.path + "' was file " + std::to_string(at.split + 1) +
                      " of the input, which is now '" + files_[k] +
                      "' (files may be added after, not before)");
        auto& f = progress_[k];
        if (f.st != file_progress::state::fresh) fail_resume("'" + at.path + "' restored twice");
        f.st = at.finished ? file_progress::state::finished : file_progress::state::started;
        f.offset = at.offset;
        f.line = at.line;
        f.last_ts = at.last_ts;
        f.records = at.records;
        f.dead_letters = at.dead_letters;
        if (!at.finished) {
          if (at.watermark >= from.size())
            fail_resume("the snapshot has no watermark state for '" + at.path + "'");
          f.watermark = watermarks_.add_split_from(from, at.watermark);
          watermarks_.pause_split(f.watermark, true);  // until its turn comes
        }
        records_ += at.records;
        dead_letters_ += at.dead_letters;
      });
  watermarks_.set_emitted(emitted);
  restored_ = {};

  // Skip the files finished before; a file being read then is opened now, so that a file
  // that no longer matches fails the start.
  for (; file_ < files_.size() && progress_[file_].st == file_progress::state::finished; ++file_)
    last_ts_ = progress_[file_].last_ts;
  if (opts_.progress) {
    auto& pr = *opts_.progress;
    for (std::size_t i = 0; i < files_.size(); ++i)
      if (progress_[i].st == file_progress::state::finished) {
        std::error_code ec;
        auto size = std::filesystem::file_size(files_[i], ec);
        if (!ec) pr.file_bytes_read += size;
        ++pr.files_done;
      }
    pr.records += records_;
    pr.dead_letters += dead_letters_;
  }
  if (file_ < files_.size() && progress_[file_].st == file_progress::state::started) {
    operator_output unused(&record_type_of<row>());
    open_next_file(unused, 0);
  }
}

status json_lines_source_reader::snapshot(std::string& out) const {
  if (!restored_.empty() || parallelism_ == 0)
    return {errc::runtime_error, "JSON-lines source '" + name_ + "': snapshot before open()"};
  std::vector<file_position> at;
  for (std::size_t k = 0; k < files_.size(); ++k) {
    const auto& f = progress_[k];
    if (f.st == file_progress::state::fresh) continue;
    file_position fp;
    fp.split = static_cast<std::uint64_t>(subtask_) + k * static_cast<std::uint64_t>(parallelism_);
    fp.path = files_[k];
    fp.finished = f.st == file_progress::state::finished;
    fp.offset = f.offset;
    fp.line = f.line;
    fp.last_ts = f.last_ts;
    fp.records = f.records;
    fp.dead_letters = f.dead_letters;
    fp.watermark = fp.finished ? restored::no_watermark : f.watermark;
    if (file_open_ && k == file_) {
      fp.offset = reader_.offset();
      fp.line = reader_.line_number();
      fp.last_ts = last_ts_;
    }
    at.push_back(std::move(fp));
  }
  out = write_versioned_snapshot(snapshot_version, subtask_, parallelism_, at,
                                 watermark_state(watermarks_));
  return status::ok();
}

expected<json_lines_source_reader::restored::piece> json_lines_source_reader::decode(
    std::string_view bytes) const {
  restored::piece p{0, 0, {}, split_watermarks(effective_strategy(opts_))};
  auto wm = watermark_state(p.watermarks);
  if (auto s = read_versioned_snapshot(bytes, snapshot_version, "JSON-lines source '" + name_ + "'",
                                       p.subtask, p.parallelism, p.splits, wm);
      !s)
    return s;
  return p;
}

status json_lines_source_reader::restore(std::string_view bytes) {
  auto p = decode(bytes);
  if (!p) return p.error();
  restored_.set_own(std::move(*p));
  return status::ok();
}

status json_lines_source_reader::restore_rescaled(std::span<const std::string_view> pieces) {
  std::vector<restored::piece> decoded;
  for (auto bytes : pieces) {
    auto p = decode(bytes);
    if (!p) return p.error();
    decoded.push_back(std::move(*p));
  }
  restored_.set_rescaled(std::move(decoded));
  return status::ok();
}

void json_lines_source_reader::reject(operator_output& out, std::string_view raw,
                                      std::string reason) {
  out.side<dead_letter>(json_lines_dead_letters.id)
      .push_back(record<dead_letter>{dead_letter{name_, files_[file_], reader_.line_number(),
                                                 std::string(raw), std::move(reason)},
                                     last_ts_});
  ++dead_letters_;
  ++progress_[file_].dead_letters;
  if (opts_.progress) ++opts_.progress->dead_letters;
}

bool json_lines_source_reader::open_next_file(operator_output& out, timestamp now) {
  for (; file_ < files_.size(); ++file_) {
    auto& f = progress_[file_];
    if (f.st == file_progress::state::finished) continue;  // restored as finished
    if (f.st == file_progress::state::started) {           // restored: go on where it was
      if (auto s = reader_.open(files_[file_]); !s) fail_resume(s.message());
      if (auto s = reader_.seek(f.offset, f.line); !s) fail_resume(s.message());
      split_ = f.watermark;
      watermarks_.pause_split(split_, false);
      last_ts_ = f.last_ts;
      reported_file_bytes_ = reader_.file_bytes_read();
      if (opts_.progress) opts_.progress->file_bytes_read += reported_file_bytes_;
    } else {
      if (auto s = reader_.open(files_[file_]); !s) {
        reject(out, "", s.message());
        if (opts_.progress) ++opts_.progress->files_done;
        f.st = file_progress::state::finished;
        f.last_ts = last_ts_;
        continue;
      }
      f.st = file_progress::state::started;
      f.watermark = watermarks_.add_split(now);
      split_ = f.watermark;
      reported_file_bytes_ = 0;
    }
    file_open_ = true;
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
  progress_[file_].st = file_progress::state::finished;
  progress_[file_].last_ts = last_ts_;
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
        ++progress_[file_].records;
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
