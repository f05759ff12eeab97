#include "dataflow/io/rolling_file_writer.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace dataflow {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view pending_suffix = ".inprogress";

status fsync_directory(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return {errc::io_error,
            "cannot open directory '" + dir.string() + "': " + std::strerror(errno)};
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0)
    return {errc::io_error, "cannot fsync directory '" + dir.string() + "': " + std::strerror(err)};
  return status::ok();
}

}  // namespace

rolling_file_writer::~rolling_file_writer() {
  if (f_) std::fclose(f_);  // a pending part stays pending: only seal() and commit() publish
}

std::string rolling_file_writer::file_name(std::uint64_t part) const {
  fs::path p(opts_.path);
  std::string ext = p.extension().string();
  std::string stem = (p.parent_path() / p.stem()).string();
  std::string name = stem + suffix_;
  if (opts_.roll_bytes > 0 || opts_.roll_interval > 0 || opts_.pending) {
    char num[32];
    std::snprintf(num, sizeof num, ".part%05llu", static_cast<unsigned long long>(part));
    name += num;
  }
  return name + ext;
}

std::string rolling_file_writer::pending_name(const std::string& final_name) {
  fs::path p(final_name);
  std::string name(1, '.');  // built by appending: GCC 12 warns (-Wrestrict) on "." + string
  name += p.filename().string();
  name += pending_suffix;
  return (p.parent_path() / name).string();
}

status rolling_file_writer::open(rolling_file_options opts, int subtask, int parallelism,
                                 timestamp now) {
  opts_ = std::move(opts);
  if (opts_.path.empty()) return {errc::invalid_configuration, "file sink: no path given"};
  suffix_.clear();
  if (parallelism > 1) suffix_.append(1, '-').append(std::to_string(subtask));
  next_part_ = 0;
  part_opened_ = now;
  if (!opts_.pending) return open_part(now);
  std::error_code ec;
  auto dir = fs::path(file_name(0)).parent_path();
  if (!dir.empty()) fs::create_directories(dir, ec);
  if (ec) return {errc::io_error, "cannot create '" + dir.string() + "': " + ec.message()};
  return status::ok();
}

status rolling_file_writer::open_part(timestamp now) {
  if (f_) {
    if (auto s = close(); !s) return s;
  }
  auto name = file_name(next_part_);
  open_path_ = opts_.pending ? pending_name(name) : name;
  std::error_code ec;
  auto dir = fs::path(name).parent_path();
  if (!dir.empty()) fs::create_directories(dir, ec);
  f_ = std::fopen(open_path_.c_str(), "wb");
  if (!f_) return {errc::io_error, "cannot create '" + open_path_ + "': " + std::strerror(errno)};
  std::setvbuf(f_, nullptr, _IOFBF, 1 << 16);
  ++next_part_;
  files_.push_back(name);
  part_bytes_ = 0;
  part_opened_ = now;
  return status::ok();
}

status rolling_file_writer::write_raw(std::string_view bytes) {
  if (bytes.empty()) return status::ok();
  if (!f_) {
    if (auto s = open_part(part_opened_); !s) return s;
  }
  if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size())
    return {errc::io_error, "cannot write '" + open_path_ + "': " + std::strerror(errno)};
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
    return {errc::io_error, "cannot write '" + open_path_ + "': " + std::strerror(errno)};
  return status::ok();
}

status rolling_file_writer::close() {
  if (!f_) return status::ok();
  int rc = std::fflush(f_);
  int err = errno;
  if (rc == 0 && opts_.pending && ::fsync(::fileno(f_)) != 0) {
    rc = -1;
    err = errno;
  }
  if (std::fclose(f_) != 0 && rc == 0) {
    rc = -1;
    err = errno;
  }
  f_ = nullptr;
  part_bytes_ = 0;
  if (rc != 0) return {errc::io_error, "cannot close '" + open_path_ + "': " + std::strerror(err)};
  if (opts_.pending) ended_.push_back(files_.back());
  return status::ok();
}

expected<std::vector<std::string>> rolling_file_writer::seal() {
  if (auto s = close(); !s) return s;
  return std::exchange(ended_, {});
}

status rolling_file_writer::commit(const std::vector<std::string>& final_names) {
  std::set<fs::path> dirs;
  for (auto& name : final_names) {
    auto pending = pending_name(name);
    if (::rename(pending.c_str(), name.c_str()) != 0) {
      int err = errno;
      std::error_code ec;
      if (err == ENOENT && fs::exists(name, ec)) continue;  // committed before
      if (err == ENOENT)
        return {errc::io_error, "cannot commit '" + name + "': neither it nor its pending file '" +
                                    pending + "' exists (the output of a checkpoint is lost)"};
      return {errc::io_error,
              "cannot rename '" + pending + "' to '" + name + "': " + std::strerror(err)};
    }
    dirs.insert(fs::path(name).parent_path());
  }
  for (auto& dir : dirs)
    if (auto s = fsync_directory(dir); !s) return s;
  return status::ok();
}

status rolling_file_writer::discard_pending(std::uint64_t next_part) {
  // This instance's pending files: ".<stem><suffix>.part<digits><ext>.inprogress".
  fs::path first(file_name(0));
  auto dir = first.parent_path();
  auto base = first.filename().string();  // "<stem><suffix>.part00000<ext>"
  auto at = base.rfind(".part");
  std::string prefix(1, '.');
  prefix += base.substr(0, at + 5);
  std::string tail = base.substr(at + 10);
  tail += pending_suffix;
  std::error_code ec;
  std::vector<fs::path> stale;
  for (auto it = fs::directory_iterator(dir.empty() ? fs::path(".") : dir, ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.size() <= prefix.size() + tail.size() || name.rfind(prefix, 0) != 0 ||
        name.compare(name.size() - tail.size(), tail.size(), tail) != 0)
      continue;
    auto digits = name.substr(prefix.size(), name.size() - prefix.size() - tail.size());
    if (digits.find_first_not_of("0123456789") == std::string::npos) stale.push_back(it->path());
  }
  if (ec) return {errc::io_error, "cannot list '" + dir.string() + "': " + ec.message()};
  for (auto& p : stale) {
    std::error_code rm;
    if (!fs::remove(p, rm) && rm)
      return {errc::io_error, "cannot delete '" + p.string() + "': " + rm.message()};
  }
  next_part_ = next_part;
  return stale.empty() ? status::ok() : fsync_directory(dir);
}

}  // namespace dataflow
