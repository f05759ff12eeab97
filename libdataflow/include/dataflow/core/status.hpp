// `status` and `expected<T>`: libdataflow returns errors as values (std::expected needs C++23).
// Thread-safety: plain values.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "dataflow/core/errc.hpp"

namespace dataflow {

/// The outcome of an operation: ok, or an error code with a message for humans.
class [[nodiscard]] status {
 public:
  status() = default;
  status(errc code, std::string message) : code_(code), message_(std::move(message)) {}

  static status ok() { return {}; }

  [[nodiscard]] bool is_ok() const noexcept { return code_ == errc::ok; }
  explicit operator bool() const noexcept { return is_ok(); }
  [[nodiscard]] errc code() const noexcept { return code_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }

  /// "invalid_graph: forward edge 'map' -> 'sink' joins parallelism 2 and 3".
  [[nodiscard]] std::string to_string() const;

 private:
  errc code_ = errc::ok;
  std::string message_;
};

/// Either a value or a non-ok status.
template <class T>
class [[nodiscard]] expected {
 public:
  expected(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  expected(status error) : v_(std::move(error)) {  // NOLINT
    assert(!std::get<status>(v_).is_ok() && "an expected<T> error must not be ok");
  }

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const status& error() const { return std::get<status>(v_); }

 private:
  std::variant<T, status> v_;
};

}  // namespace dataflow
