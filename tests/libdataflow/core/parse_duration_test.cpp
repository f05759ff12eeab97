#include "dataflow/core/parse_duration.hpp"

#include <doctest/doctest.h>

using namespace dataflow;

TEST_CASE("parse_duration: each unit and combinations") {
  CHECK(*parse_duration("250ms") == 250);
  CHECK(*parse_duration("5s") == 5000);
  CHECK(*parse_duration("1m") == 60'000);
  CHECK(*parse_duration("1h") == 3'600'000);
  CHECK(*parse_duration("7d") == 604'800'000);
  CHECK(*parse_duration("0ms") == 0);
  CHECK(*parse_duration("1h30m") == 5'400'000);
  CHECK(*parse_duration("2m30s500ms") == 150'500);
  CHECK(format_duration(5'400'000) == "1h30m");
  CHECK(format_duration(250) == "250ms");
}

TEST_CASE("parse_duration: errors say what was expected") {
  for (auto bad : {"", "5", "5x", "-5s", "1.5s", "s", "5s1h", "5s5s", "99999999999999999999ms",
                   "9999999999999d", " 5s"}) {
    CAPTURE(bad);
    auto d = parse_duration(bad);
    REQUIRE(!d);
    CHECK(d.error().code() == errc::invalid_input);
    CHECK(d.error().message().find("expected an integer and a unit") != std::string::npos);
  }
  CHECK(parse_duration("5").error().message().find("missing unit") != std::string::npos);
  CHECK(parse_duration("5x").error().message().find("unknown unit 'x'") != std::string::npos);
  CHECK(parse_duration("-5s").error().message().find("negative") != std::string::npos);
}
