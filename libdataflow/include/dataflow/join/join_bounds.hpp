// The time bounds of an interval join: a left element at time l and a right element at time r
// match when l + lower <= r <= l + upper, where either bound may be exclusive (< instead of
// <=). Inclusive by default, as in Flink's IntervalJoin.between().
// Thread-safety: plain value.
#pragma once

#include <string>

#include "dataflow/core/status.hpp"
#include "dataflow/time/timestamp.hpp"

namespace dataflow {

/// a + b, clamped to [min_timestamp, max_timestamp] instead of overflowing.
constexpr timestamp saturating_add(timestamp a, duration_ms b) noexcept {
  timestamp r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? max_timestamp : min_timestamp;
  return r;
}

/// a - b, clamped the same way.
constexpr timestamp saturating_sub(timestamp a, duration_ms b) noexcept {
  timestamp r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? max_timestamp : min_timestamp;
  return r;
}

struct join_bounds {
  duration_ms lower = 0;
  duration_ms upper = 0;
  bool lower_inclusive = true;
  bool upper_inclusive = true;

  /// Fails when lower > upper (Flink's precondition), or when a bound is so large that
  /// excluding it overflows.
  [[nodiscard]] status validate() const {
    if (lower > upper) {
      std::string m = "interval join: the lower bound (";
      m += std::to_string(lower);
      m += " ms) must not be greater than the upper bound (";
      m += std::to_string(upper);
      m += " ms)";
      return {errc::invalid_configuration, std::move(m)};
    }
    if ((!lower_inclusive && lower == max_timestamp) ||
        (!upper_inclusive && upper == min_timestamp))
      return {errc::invalid_configuration, "interval join: an exclusive bound overflows"};
    return status::ok();
  }

  /// The smallest r - l that matches (lower, or lower + 1 when exclusive).
  [[nodiscard]] constexpr duration_ms min_offset() const noexcept {
    return lower_inclusive ? lower : lower + 1;
  }
  /// The largest r - l that matches (upper, or upper - 1 when exclusive). May be less than
  /// min_offset() (e.g. between(0, 0) with an exclusive bound): then nothing matches.
  [[nodiscard]] constexpr duration_ms max_offset() const noexcept {
    return upper_inclusive ? upper : upper - 1;
  }
  /// Whether a left element at `l` and a right element at `r` match.
  [[nodiscard]] constexpr bool matches(timestamp l, timestamp r) const noexcept {
    return r >= saturating_add(l, min_offset()) && r <= saturating_add(l, max_offset());
  }
};

}  // namespace dataflow
