#include "dataflow/api/checkpoint_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

namespace dataflow {

namespace {

/// The p-th percentile (nearest rank below) of `v`, which it sorts; 0 when empty.
std::int64_t percentile(std::vector<std::int64_t>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

template <class... Args>
void append(std::string& out, const char* format, Args... args) {
  char line[512];
  std::snprintf(line, sizeof line, format, args...);
  out += line;
}

}  // namespace

std::string summarize_checkpoints(const job_result& r) {
  std::string out;
  if (r.checkpoints.empty() && r.checkpoints_aborted.empty()) return out;
  std::vector<std::int64_t> duration, start, align, sync, async;
  std::uint64_t largest = 0;
  std::map<std::string, int> slowest;
  for (auto& c : r.checkpoints) {
    duration.push_back(c.duration_ms);
    start.push_back(c.max.start_delay_ms);
    align.push_back(c.max.alignment_ms);
    sync.push_back(c.max.sync_ms);
    async.push_back(c.max.async_ms);
    largest = std::max(largest, c.size_bytes);
    ++slowest[c.slowest];
  }
  auto p50_max = [](std::vector<std::int64_t>& v) {
    const auto p50 = static_cast<long long>(percentile(v, 0.5));
    return std::pair{p50, static_cast<long long>(v.empty() ? 0 : v.back())};
  };
  auto [d50, dmax] = p50_max(duration);
  append(out,
         "checkpoints: %zu completed, %zu aborted, duration p50 %lld ms, p99 %lld ms, max %lld ms, "
         "largest %.1f MB\n",
         r.checkpoints.size(), r.checkpoints_aborted.size(), d50,
         static_cast<long long>(percentile(duration, 0.99)), dmax,
         static_cast<double>(largest) / 1e6);
  if (r.checkpoints.empty()) return out;
  auto [s50, smax] = p50_max(start);
  auto [a50, amax] = p50_max(align);
  auto [y50, ymax] = p50_max(sync);
  auto [w50, wmax] = p50_max(async);
  append(out,
         "  where the time went (p50 / max over checkpoints of the largest per instance): start "
         "delay %lld / %lld ms, alignment %lld / %lld ms, sync %lld / %lld ms, async %lld / %lld "
         "ms\n",
         s50, smax, a50, amax, y50, ymax, w50, wmax);
  auto most = std::max_element(slowest.begin(), slowest.end(),
                               [](auto& a, auto& b) { return a.second < b.second; });
  append(out, "  waited for most often: %s (%d of %zu)\n", most->first.c_str(), most->second,
         r.checkpoints.size());
  return out;
}

}  // namespace dataflow
