#include "durable_file.hpp"

#include <cerrno>
#include <random>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

namespace dataflow::internal {

namespace {

constexpr std::string_view temp_marker = ".tmp-";

std::string temp_suffix() {
  // Random, so that two writers of one name (a retried task on another node) never share a
  // temporary file.
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  auto v = gen();
  for (int i = 0; i < 12; ++i, v >>= 4) s += hex[v & 15];
  return s;
}

status write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "cannot write", errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return status::ok();
}

}  // namespace

status io_error(const std::filesystem::path& path, std::string_view what, int err) {
  std::string m = path.string();
  m += ": ";
  m += what;
  m += ": ";
  m += std::error_code(err, std::generic_category()).message();
  return {errc::io_error, std::move(m)};
}

bool is_temp_file_name(std::string_view file_name) noexcept {
  return file_name.find(temp_marker) != std::string_view::npos;
}

status fsync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error(dir, "cannot open directory", errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error(dir, "cannot fsync directory", err);
  return status::ok();
}

status create_directory_durably(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error(dir, "cannot create directory", ec.value());
  auto parent = dir.parent_path();
  return fsync_directory(parent.empty() ? std::filesystem::path(".") : parent);
}

status write_file_durably(const std::filesystem::path& path, std::string_view head,
                          std::string_view body) {
  std::filesystem::path tmp = path;
  tmp += std::string(temp_marker) + temp_suffix();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(tmp, "cannot create", errno);
  auto s = write_all(fd, head, tmp);
  if (s) s = write_all(fd, body, tmp);
  if (s && ::fsync(fd) != 0) s = io_error(tmp, "cannot fsync", errno);
  if (::close(fd) != 0 && s) s = io_error(tmp, "cannot close", errno);
  if (s && ::rename(tmp.c_str(), path.c_str()) != 0)
    s = io_error(path, "cannot rename into", errno);
  if (!s) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return s;
  }
  auto dir = path.parent_path();
  return fsync_directory(dir.empty() ? std::filesystem::path(".") : dir);
}

}  // namespace dataflow::internal
