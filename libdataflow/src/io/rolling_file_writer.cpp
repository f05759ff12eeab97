#include "dataflow/io/rolling_file_writer.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace dataflow {

namespace fs = std::filesystem;

rolling_file_writer::~rolling_file_writer() {
  (void)close();
}

std::string rolling_file_writer::file_name(std::uint64_t part) const {
  fs::path p(opts_.path);
  std::string ext = p.extension().string();
  std::string stem = (p.parent_path() / p.stem()).string();
  std::string name = stem + suffix_;
  if (opts_.roll_bytes > 0 || opts_.roll_interval > 0) {
    char num[32];
    std::snprintf(num, sizeof num, ".part%05llu", static_cast<unsigned long long>(part));
    name += num;
  }
  return name + ext;
}

status rolling_file_writer::open(rolling_file_options opts, int subtask, int parallelism,
                                 timestamp now) {
  opts_ = std::move(opts);
  if (opts_.path.empty()) return {errc::invalid_configuration, "file sink: no path given"};
  suffix_.clear();
  if (parallelism > 1) suffix_.append(1, '-').append(std::to_string(subtask));
  part_ = 0;
  return open_part(now);
}

status rolling_file_writer::open_part(timestamp now) {
  if (f_) {
    if (auto s = close(); !s) return s;
  }
  auto name = file_name(part_);
  std::error_code ec;
  auto dir = fs::path(name).parent_path();
  if (!dir.empty()) fs::create_directories(dir, ec);
  f_ = std::fopen(name.c_str(), "wb");
  if (!f_) return {errc::io_error, "cannot create '" + name + "': " + std::strerror(errno)};
  std::setvbuf(f_, nullptr, _IOFBF, 1 << 16);
  files_.push_back(name);
  part_bytes_ = 0;
  part_opened_ = now;
  return status::ok();
}

status rolling_file_writer::write_raw(std::string_view bytes) {
  if (bytes.empty()) return status::ok();
  if (!f_) {
    ++part_;
    if (auto s = open_part(part_opened_); !s) return s;
  }
  if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size())
    return {errc::io_error, "cannot write '" + files_.back() + "': " + std::strerror(errno)};
  part_bytes_ += bytes.size();
  return status::ok();
}

status rolling_file_writer::write_lines(std::string_view lines, timestamp now) {
  if (opts_.roll_interval > 0 && part_bytes_ > 0 && now - part_opened_ >= opts_.roll_interval) {
    if (auto s = close(); !s) return s;
    part_opened_ = now;
  }
  if (opts_.roll_bytes == 0) return write_raw(lines);
  // Split at line ends so no part exceeds roll_bytes (unless one line does).
  while (!lines.empty()) {
    std::uint64_t room = part_bytes_ < opts_.roll_bytes ? opts_.roll_bytes - part_bytes_ : 0;
    std::size_t take = 0;
    while (take < lines.size()) {
      auto nl = lines.find('\n', take);
      std::size_t end = nl == std::string_view::npos ? lines.size() : nl + 1;
      if (end > room && !(take == 0 && part_bytes_ == 0)) break;
      take = end;
      if (end > room) break;  // one line longer than a part: it gets a part of its own
    }
    if (take == 0) {  // the part is full
      if (auto s = close(); !s) return s;
      if (opts_.roll_interval > 0) part_opened_ = now;
      continue;
    }
    if (auto s = write_raw(lines.substr(0, take)); !s) return s;
    lines.remove_prefix(take);
  }
  return status::ok();
}

status rolling_file_writer::flush() {
  if (f_ && std::fflush(f_) != 0)
    return {errc::io_error, "cannot write '" + files_.back() + "': " + std::strerror(errno)};
  return status::ok();
}

status rolling_file_writer::close() {
  if (!f_) return status::ok();
  int rc = std::fclose(f_);
  f_ = nullptr;
  part_bytes_ = 0;
  if (rc != 0)
    return {errc::io_error, "cannot close '" + files_.back() + "': " + std::strerror(errno)};
  return status::ok();
}

}  // namespace dataflow
