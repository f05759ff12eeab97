#include "dataflow/core/parse_timestamp.hpp"

#include <doctest/doctest.h>

using namespace dataflow;

TEST_CASE("parse_iso8601: UTC, fractions, offsets and dates") {
  CHECK(*parse_iso8601("1970-01-01T00:00:00Z") == 0);
  CHECK(*parse_iso8601("2024-05-01T12:00:00Z") == 1714564800000);
  CHECK(*parse_iso8601("2024-05-01T12:00:00.250Z") == 1714564800250);
  CHECK(*parse_iso8601("2024-05-01T12:00:00.123456789Z") == 1714564800123);
  CHECK(*parse_iso8601("2024-05-01T14:00:00+02:00") == 1714564800000);
  CHECK(*parse_iso8601("2024-05-01T10:30:00-0130") == 1714564800000);
  CHECK(*parse_iso8601("2024-05-01 12:00:00") == 1714564800000);
  CHECK(*parse_iso8601("2024-05-01t12:00z") == 1714564800000);
  CHECK(*parse_iso8601("2024-05-01") == 1714521600000);
  CHECK(*parse_iso8601("2024-02-29T00:00:00Z") == 1709164800000);
  CHECK(*parse_iso8601("1969-12-31T23:59:59.500Z") == -500);
  std::string s;
  append_iso8601(s, 1714564800250);
  CHECK(s == "2024-05-01T12:00:00.250Z");
  s.clear();
  append_iso8601(s, -500);
  CHECK(s == "1969-12-31T23:59:59.500Z");
}

TEST_CASE("parse_iso8601: errors name the problem and the expected form") {
  for (auto bad : {"", "2024", "2024-5-01", "2024-13-01", "2023-02-29", "2024-05-01X12:00",
                   "2024-05-01T25:00:00Z", "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+2",
                   "2024-05-01T12:00:00Zjunk", "yesterday"}) {
    CAPTURE(bad);
    auto t = parse_iso8601(bad);
    REQUIRE(!t);
    CHECK(t.error().code() == errc::invalid_input);
    CHECK(t.error().message().find("expected ISO-8601 such as 2024-05-01T12:00:00Z") !=
          std::string::npos);
  }
  CHECK(parse_iso8601("2024-13-01").error().message().find("month out of range") !=
        std::string::npos);
}

TEST_CASE("timestamp_from_value: milliseconds, seconds and ISO strings, each with its error") {
  CHECK(*timestamp_from_value(1714564800000, time_format::epoch_millis) == 1714564800000);
  CHECK(*timestamp_from_value(12.9, time_format::epoch_millis) == 12);
  CHECK(*timestamp_from_value(1714564800, time_format::epoch_seconds) == 1714564800000);
  CHECK(*timestamp_from_value(1714564800.25, time_format::epoch_seconds) == 1714564800250);
  CHECK(*timestamp_from_value(1714564800.001, time_format::epoch_seconds) == 1714564800001);
  CHECK(*timestamp_from_value("2024-05-01T12:00:00Z", time_format::iso8601) == 1714564800000);

  auto e1 = timestamp_from_value("12", time_format::epoch_millis);
  REQUIRE(!e1);
  CHECK(e1.error().message() == "expected epoch milliseconds (a number), got string \"12\"");
  auto e2 = timestamp_from_value(value(), time_format::epoch_seconds);
  REQUIRE(!e2);
  CHECK(e2.error().message() == "expected epoch seconds (a number), got null");
  auto e3 = timestamp_from_value(17, time_format::iso8601);
  REQUIRE(!e3);
  CHECK(e3.error().message().find("expected an ISO-8601 time string") != std::string::npos);
  CHECK(!timestamp_from_value(1e30, time_format::epoch_seconds));
  CHECK(!timestamp_from_value(INT64_MAX, time_format::epoch_seconds));

  CHECK(*parse_time_format("ms") == time_format::epoch_millis);
  CHECK(*parse_time_format("s") == time_format::epoch_seconds);
  CHECK(*parse_time_format("iso8601") == time_format::iso8601);
  CHECK(!parse_time_format("minutes"));
}
