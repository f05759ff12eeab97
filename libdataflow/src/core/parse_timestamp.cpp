#include "dataflow/core/parse_timestamp.hpp"

#include <cmath>
#include <cstdio>

namespace dataflow {
namespace {

constexpr const char* iso_example = "2024-05-01T12:00:00Z";

status bad_iso(std::string_view text, std::string_view why) {
  std::string m = "timestamp '";
  m += text;
  m += "': ";
  m += why;
  m += "; expected ISO-8601 such as ";
  m += iso_example;
  m += ", 2024-05-01T12:00:00.250+02:00 or 2024-05-01";
  return {errc::invalid_input, std::move(m)};
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  static constexpr unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : dm[m - 1];
}

// Reads exactly `n` digits at `i`.
bool digits(std::string_view s, std::size_t& i, std::size_t n, int& out) noexcept {
  if (i + n > s.size()) return false;
  int v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    char c = s[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  i += n;
  return true;
}

std::string describe(const value& v) {
  std::string s(to_string(v.kind()));
  if (!v.is_null()) {
    s += ' ';
    auto j = to_json(v);
    if (j.size() > 40) j = j.substr(0, 40) + "...";
    s += j;
  }
  return s;
}

}  // namespace

expected<time_format> parse_time_format(std::string_view n) {
  if (n == "ms" || n == "millis" || n == "epoch_millis") return time_format::epoch_millis;
  if (n == "s" || n == "seconds" || n == "epoch_seconds") return time_format::epoch_seconds;
  if (n == "iso8601" || n == "iso") return time_format::iso8601;
  return status{errc::invalid_input, "time format '" + std::string(n) +
                                         "': expected ms (epoch milliseconds), s (epoch "
                                         "seconds) or iso8601"};
}

std::string_view to_string(time_format f) noexcept {
  switch (f) {
    case time_format::epoch_millis:
      return "ms";
    case time_format::epoch_seconds:
      return "s";
    case time_format::iso8601:
      return "iso8601";
  }
  return "unknown";
}

expected<timestamp> parse_iso8601(std::string_view s) {
  std::size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, i, 4, year)) return bad_iso(s, "expected a four-digit year");
  if (i >= s.size() || s[i] != '-') return bad_iso(s, "expected '-' after the year");
  ++i;
  if (!digits(s, i, 2, month)) return bad_iso(s, "expected a two-digit month");
  if (i >= s.size() || s[i] != '-') return bad_iso(s, "expected '-' after the month");
  ++i;
  if (!digits(s, i, 2, day)) return bad_iso(s, "expected a two-digit day");
  if (month < 1 || month > 12) return bad_iso(s, "month out of range");
  if (day < 1 || static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)))
    return bad_iso(s, "day out of range");
  std::int64_t ms = 0;
  std::int64_t offset_min = 0;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
      return bad_iso(s, "expected 'T' between the date and the time");
    ++i;
    if (!digits(s, i, 2, hour)) return bad_iso(s, "expected a two-digit hour");
    if (i >= s.size() || s[i] != ':') return bad_iso(s, "expected ':' after the hour");
    ++i;
    if (!digits(s, i, 2, minute)) return bad_iso(s, "expected two-digit minutes");
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!digits(s, i, 2, second)) return bad_iso(s, "expected two-digit seconds");
      if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
        ++i;
        std::size_t start = i;
        int scale = 100;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
          ms += (s[i] - '0') * scale;
          scale /= 10;
        }
        if (i == start) return bad_iso(s, "expected digits after the decimal point");
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return bad_iso(s, "time of day out of range");
    if (i < s.size()) {
      char c = s[i];
      if (c == 'Z' || c == 'z') {
        ++i;
      } else if (c == '+' || c == '-') {
        ++i;
        int oh = 0, om = 0;
        if (!digits(s, i, 2, oh)) return bad_iso(s, "expected a two-digit offset hour");
        if (i < s.size() && s[i] == ':') ++i;
        if (!digits(s, i, 2, om)) return bad_iso(s, "expected two-digit offset minutes");
        if (oh > 23 || om > 59) return bad_iso(s, "offset out of range");
        offset_min = (c == '+' ? 1 : -1) * (oh * 60 + om);
      } else {
        return bad_iso(s, std::string("unexpected '") + c + "' after the time");
      }
    }
    if (i != s.size()) return bad_iso(s, "unexpected text after the offset");
  }
  std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  return secs * 1000 + ms;
}

void append_iso8601(std::string& out, timestamp ts) {
  std::int64_t ms = ((ts % 1000) + 1000) % 1000;
  std::int64_t secs = (ts - ms) / 1000;
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  std::int64_t rem = secs - days * 86400;
  // civil_from_days
  std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                        static_cast<long long>(y), m, d, static_cast<int>(rem / 3600),
                        static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60),
                        static_cast<int>(ms));
  out.append(buf, static_cast<std::size_t>(n));
}

expected<timestamp> timestamp_from_value(const value& v, time_format f) {
  constexpr double limit = 9.2e18;
  switch (f) {
    case time_format::epoch_millis:
      if (v.is_int()) return v.as_int();
      if (v.is_double() && std::isfinite(v.as_double()) && std::fabs(v.as_double()) < limit)
        return static_cast<timestamp>(v.as_double());
      return status{errc::invalid_input,
                    "expected epoch milliseconds (a number), got " + describe(v)};
    case time_format::epoch_seconds:
      if (v.is_int()) {
        if (v.as_int() > max_timestamp / 1000 || v.as_int() < min_timestamp / 1000)
          return status{errc::invalid_input, "epoch seconds out of range: " + describe(v)};
        return v.as_int() * 1000;
      }
      if (v.is_double() && std::isfinite(v.as_double()) && std::fabs(v.as_double()) * 1e6 < limit) {
        // Round to microseconds first (1.001 is 1.000999... in binary), then floor to ms.
        std::int64_t us = std::llround(v.as_double() * 1e6);
        return us >= 0 ? us / 1000 : -((-us + 999) / 1000);
      }
      return status{errc::invalid_input, "expected epoch seconds (a number), got " + describe(v)};
    case time_format::iso8601:
      if (v.is_string()) return parse_iso8601(v.as_string());
      return status{errc::invalid_input, std::string("expected an ISO-8601 time string such as ") +
                                             iso_example + ", got " + describe(v)};
  }
  return status{errc::invalid_input, "unknown time format"};
}

}  // namespace dataflow
