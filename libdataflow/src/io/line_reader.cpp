#include "dataflow/io/line_reader.hpp"

#include <zlib.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

namespace dataflow {

line_reader::line_reader(std::size_t buffer_size)
    : buf_(new char[buffer_size]), cap_(buffer_size), chunk_(buffer_size) {}

line_reader::~line_reader() {
  close();
}

bool line_reader::is_open() const noexcept {
  return gz_ != nullptr;
}

status line_reader::open(const std::string& path) {
  close();
  path_ = path;
  begin_ = end_ = scanned_ = 0;
  eof_ = false;
  line_number_ = offset_ = 0;
  error_ = status::ok();
  // Detect gzip by its magic bytes (zlib would also read plain files transparently).
  unsigned char magic[2] = {0, 0};
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    compressed_ = std::fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    std::fclose(f);
  } else {
    return {errc::io_error, "cannot open '" + path + "': " + std::strerror(errno)};
  }
  gzFile gz = gzopen(path.c_str(), "rb");
  if (!gz) return {errc::io_error, "cannot open '" + path + "': " + std::strerror(errno)};
  gzbuffer(gz, 1 << 17);
  gz_ = gz;
  return status::ok();
}

void line_reader::close() {
  if (gz_) gzclose_r(static_cast<gzFile>(gz_));
  gz_ = nullptr;
}

std::uint64_t line_reader::file_bytes_read() const noexcept {
  if (!gz_) return 0;
  auto off = gzoffset(static_cast<gzFile>(gz_));
  return off < 0 ? 0 : static_cast<std::uint64_t>(off);
}

bool line_reader::fill() {
  // Move the partial line to the front; grow when it fills the buffer.
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    scanned_ -= begin_;
    begin_ = 0;
  }
  if (end_ == cap_) {
    std::unique_ptr<char[]> bigger(new char[cap_ * 2]);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ *= 2;
  }
  auto want = static_cast<unsigned>(std::min<std::size_t>(cap_ - end_, INT_MAX));
  int n = gzread(static_cast<gzFile>(gz_), buf_.get() + end_, want);
  if (n < 0) {
    int code = 0;
    const char* msg = gzerror(static_cast<gzFile>(gz_), &code);
    error_ = {errc::io_error, "reading '" + path_ + "': " + (msg ? msg : "read error")};
    eof_ = true;
    return false;
  }
  if (n == 0) {
    int code = 0;
    const char* msg = gzerror(static_cast<gzFile>(gz_), &code);
    if (code != Z_OK && code != Z_STREAM_END)
      error_ = {errc::io_error, "reading '" + path_ + "': " + (msg ? msg : "read error")};
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(n);
  return true;
}

status line_reader::seek(std::uint64_t offset, std::uint64_t line_number) {
  if (!gz_ || line_number_ != 0 || offset_ != 0 || end_ != 0)
    return {errc::io_error, "line_reader::seek must come right after open()"};
  auto shorter = [&] {
    return status{errc::io_error, "'" + path_ + "' is shorter than the position to resume at (" +
                                      std::to_string(offset) + " bytes)"};
  };
  auto* gz = static_cast<gzFile>(gz_);
  if (!compressed_) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path_, ec);
    if (ec) return {errc::io_error, "cannot read the size of '" + path_ + "': " + ec.message()};
    if (size < offset) return shorter();
  }
  std::uint64_t left = offset;
  while (left > 0) {
    if (begin_ == end_) {
      begin_ = end_ = scanned_ = 0;
      // After the first read zlib knows the file is plain, and gzseek is a seek.
      if (!compressed_ && offset - left > 0) {
        if (gzseek(gz, static_cast<z_off_t>(offset), SEEK_SET) != static_cast<z_off_t>(offset))
          return {errc::io_error, "cannot seek in '" + path_ + "'"};
        break;
      }
      if (eof_ || !fill()) return error_.is_ok() ? shorter() : error_;
    }
    auto take = std::min<std::uint64_t>(left, end_ - begin_);
    begin_ += static_cast<std::size_t>(take);
    scanned_ = begin_;
    left -= take;
  }
  offset_ = offset;
  line_number_ = line_number;
  return status::ok();
}

bool line_reader::next(std::string_view& line) {
  if (!gz_) return false;
  for (;;) {
    if (auto* nl = static_cast<char*>(std::memchr(buf_.get() + scanned_, '\n', end_ - scanned_))) {
      auto pos = static_cast<std::size_t>(nl - buf_.get());
      std::size_t len = pos - begin_;
      offset_ += len + 1;
      if (len > 0 && buf_[begin_ + len - 1] == '\r') --len;
      line = std::string_view(buf_.get() + begin_, len);
      begin_ = scanned_ = pos + 1;
      ++line_number_;
      return true;
    }
    scanned_ = end_;
    if (eof_ || !fill()) {
      if (begin_ == end_) return false;
      std::size_t len = end_ - begin_;  // the last line, without a newline
      offset_ += len;
      if (buf_[begin_ + len - 1] == '\r') --len;
      line = std::string_view(buf_.get() + begin_, len);
      begin_ = scanned_ = end_;
      ++line_number_;
      return true;
    }
  }
}

}  // namespace dataflow
