// cereal binary encoding straight into a std::string and out of a std::string_view, without the
// copies of std::ostringstream / std::istringstream: byte-table states encode a key or value on
// every cache miss and write-back. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <istream>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

#include <cereal/archives/binary.hpp>

namespace dataflow::detail {

/// A streambuf that appends to a string.
class string_append_buf final : public std::streambuf {
 public:
  explicit string_append_buf(std::string& out) : out_(out) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.append(s, static_cast<std::size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof()))
      out_.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }

 private:
  std::string& out_;
};

/// A streambuf that reads a string_view and tells how much it consumed.
class view_read_buf final : public std::streambuf {
 public:
  explicit view_read_buf(std::string_view in) {
    auto* p = const_cast<char*>(in.data());  // only read: the get area is never written
    setg(p, p, p + in.size());
  }
  [[nodiscard]] std::size_t consumed() const noexcept {
    return static_cast<std::size_t>(gptr() - eback());
  }
};

/// Appends cereal(values...) to `out`.
template <class... T>
void append_cereal(std::string& out, const T&... values) {
  string_append_buf buf(out);
  std::ostream os(&buf);
  cereal::BinaryOutputArchive ar(os);
  ar(values...);
}

/// Reads `values...` from the start of `in`; returns the bytes read. Throws cereal::Exception
/// when `in` is too short.
template <class... T>
std::size_t read_cereal(std::string_view in, T&... values) {
  view_read_buf buf(in);
  std::istream is(&buf);
  cereal::BinaryInputArchive ar(is);
  ar(values...);
  return buf.consumed();
}

}  // namespace dataflow::detail
