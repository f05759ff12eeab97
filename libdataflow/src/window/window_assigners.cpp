#include "dataflow/window/window_assigners.hpp"

#include <algorithm>
#include <numeric>
#include <string>

namespace dataflow {
namespace {

status check_offset(const char* what, duration_ms offset, duration_ms period) {
  if (offset <= -period || offset >= period)
    return {errc::invalid_configuration, std::string(what) + " offset " + std::to_string(offset) +
                                             "ms must lie strictly between -" +
                                             std::to_string(period) + "ms and " +
                                             std::to_string(period) + "ms"};
  return status::ok();
}

}  // namespace

status tumbling_windows::validate() const {
  if (size_ <= 0)
    return {errc::invalid_configuration,
            "tumbling window size must be positive, got " + std::to_string(size_) + "ms"};
  return check_offset("tumbling window", offset_, size_);
}

status sliding_windows::validate() const {
  if (size_ <= 0 || slide_ <= 0)
    return {errc::invalid_configuration, "sliding window size and slide must be positive, got " +
                                             std::to_string(size_) + "ms and " +
                                             std::to_string(slide_) + "ms"};
  return check_offset("sliding window", offset_, slide_);
}

duration_ms sliding_windows::slice_size() const noexcept {
  return std::gcd(size_, slide_);
}

status session_windows::validate() const {
  if (gap_ <= 0)
    return {errc::invalid_configuration,
            "session gap must be positive, got " + std::to_string(gap_) + "ms"};
  return status::ok();
}

std::vector<merged_window> merge_windows(const std::vector<time_window>& windows) {
  std::vector<std::size_t> order(windows.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return windows[a].start < windows[b].start; });
  std::vector<merged_window> out;
  for (auto i : order) {
    if (!out.empty() && out.back().window.intersects(windows[i])) {
      out.back().window = out.back().window.cover(windows[i]);
      out.back().sources.push_back(i);
    } else {
      out.push_back({windows[i], {i}});
    }
  }
  return out;
}

}  // namespace dataflow
