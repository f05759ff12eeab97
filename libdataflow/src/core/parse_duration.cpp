#include "dataflow/core/parse_duration.hpp"

#include <limits>

namespace dataflow {
namespace {

constexpr const char* expected_text =
    "expected an integer and a unit (ms, s, m, h, d), e.g. 250ms, 5s, 1m, 1h, 7d or 1h30m";

status bad(std::string_view text, std::string_view why) {
  std::string m = "duration '";
  m += text;
  m += "': ";
  m += why;
  m += "; ";
  m += expected_text;
  return {errc::invalid_input, std::move(m)};
}

struct unit {
  std::string_view name;
  duration_ms ms;
};
// Longest names first, so "ms" wins over "m".
constexpr unit units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};

}  // namespace

expected<duration_ms> parse_duration(std::string_view text) {
  if (text.empty()) return bad(text, "it is empty");
  duration_ms total = 0;
  duration_ms last_unit = std::numeric_limits<duration_ms>::max();
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9') {
      if (text[i] == '-') return bad(text, "durations cannot be negative");
      return bad(text, std::string("unexpected '") + text[i] + "'");
    }
    duration_ms n = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (n > (std::numeric_limits<duration_ms>::max() - 9) / 10) return bad(text, "too large");
      n = n * 10 + (text[i] - '0');
    }
    if (i < text.size() && text[i] == '.') return bad(text, "fractions are not supported");
    if (i == text.size()) return bad(text, "missing unit after " + std::to_string(n));
    const unit* u = nullptr;
    for (auto& c : units) {
      if (text.substr(i, c.name.size()) == c.name) {
        u = &c;
        break;
      }
    }
    if (!u) return bad(text, "unknown unit '" + std::string(text.substr(i)) + "'");
    if (u->ms >= last_unit) return bad(text, "units must go from the largest down, each once");
    last_unit = u->ms;
    i += u->name.size();
    if (n > (std::numeric_limits<duration_ms>::max() - total) / u->ms)
      return bad(text, "too large");
    total += n * u->ms;
  }
  return total;
}

std::string format_duration(duration_ms d) {
  if (d == 0) return "0ms";
  if (d == std::numeric_limits<duration_ms>::min()) return std::to_string(d) + "ms";
  std::string s;
  if (d < 0) {
    s = "-";
    d = -d;
  }
  for (auto it = std::rbegin(units); it != std::rend(units); ++it) {
    if (d >= it->ms) {
      s += std::to_string(d / it->ms);
      s += it->name;
      d %= it->ms;
    }
  }
  return s;
}

}  // namespace dataflow
