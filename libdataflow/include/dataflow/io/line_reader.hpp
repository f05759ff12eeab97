// Reads a file line by line, plain or gzip (detected by its magic bytes; concatenated gzip
// members are read as one stream), through one reused buffer: a line is a view into it, valid
// until the next call. It tracks the line number, the uncompressed byte offset of the next line
// (for checkpoints: seek() resumes there) and the bytes consumed from the file (for progress on
// compressed files).
//
//   line_reader in;
//   if (auto s = in.open("events.jsonl.gz"); !s) return s;
//   std::string_view line;
//   while (in.next(line)) handle(in.line_number(), line);
//   if (!in.error().is_ok()) ...   // a read error or a truncated gzip file
//
// Lines end at '\n'; a trailing '\r' is dropped, and so is the newline; the last line may lack
// one. Thread-safety: one reader per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "dataflow/core/status.hpp"

namespace dataflow {

class line_reader {
 public:
  /// `buffer_size`: bytes read per call into the buffer (it grows for longer lines).
  explicit line_reader(std::size_t buffer_size = 1 << 18);
  ~line_reader();
  line_reader(const line_reader&) = delete;
  line_reader& operator=(const line_reader&) = delete;

  /// Opens `path` (closing any file open before); errc::io_error when it cannot.
  status open(const std::string& path);
  /// Resumes the file just opened at uncompressed offset `offset`, the start of line
  /// `line_number + 1` (what offset() and line_number() said when the position was saved). A
  /// plain file seeks there; a gzip file is decompressed from its start and skipped up to it.
  /// errc::io_error when the file is shorter or cannot be read.
  status seek(std::uint64_t offset, std::uint64_t line_number);
  /// The next line, or false at the end of the file or on an error (see error()).
  bool next(std::string_view& line);
  void close();

  [[nodiscard]] bool is_open() const noexcept;
  /// True when the file is gzip-compressed.
  [[nodiscard]] bool compressed() const noexcept { return compressed_; }
  /// The number of the line next() returned last, from 1.
  [[nodiscard]] std::uint64_t line_number() const noexcept { return line_number_; }
  /// The uncompressed offset of the line after the one returned last.
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
  /// Bytes consumed from the file itself (compressed bytes for gzip), for progress.
  [[nodiscard]] std::uint64_t file_bytes_read() const noexcept;
  /// Ok, or what went wrong reading (e.g. "unexpected end of file" in a truncated gzip file).
  [[nodiscard]] const status& error() const noexcept { return error_; }

 private:
  bool fill();

  void* gz_ = nullptr;  // gzFile
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 0, chunk_ = 0;
  std::size_t begin_ = 0, end_ = 0, scanned_ = 0;
  bool eof_ = false, compressed_ = false;
  std::uint64_t line_number_ = 0, offset_ = 0;
  std::string path_;
  status error_;
};

}  // namespace dataflow
