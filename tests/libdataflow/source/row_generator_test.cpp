// Generated rows: a pure function of (seed, index), with the distributions the schema asks for,
// and a clear error for each kind of bad field.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "dataflow/source/row_generator.hpp"

using namespace dataflow;

namespace {

row_generator_spec content_spec() {
  row_generator_spec s;
  s.seed = 7;
  s.time.start = 1'000'000;
  s.time.per_second = 100;  // one record every 10 ms
  s.fields = {
      generated_field::sequence("id"),
      generated_field::uniform_int("user", 1, 50),
      generated_field::zipf("content", 20, 1.0),
      generated_field::choice("device", {"tv", "phone", "web"}, {1, 3, 0}),
      generated_field::uniform_double("ratio", 0.5, 1.5),
      generated_field::boolean("ok", 0.25),
      generated_field::constant("region", "eu"),
      generated_field::pattern("url", "/c/{content}/u{user}?i={index}"),
  };
  return s;
}

std::string error_of(row_generator_spec s) {
  try {
    row_generator g(std::move(s));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("row generator: the same index gives the same row, another seed another stream") {
  row_generator a(content_spec()), b(content_spec());
  auto other = content_spec();
  other.seed = 8;
  row_generator c(other);
  int differ = 0;
  for (std::uint64_t i = 0; i < 200; ++i) {
    auto x = a(i), y = b(i);
    CHECK(x.value == y.value);
    CHECK(x.ts == y.ts);
    if (!(c(i).value == x.value)) ++differ;
  }
  CHECK(differ > 150);
}

TEST_CASE("row generator: fields, ranges and event time") {
  row_generator g(content_spec());
  const auto id = field_id::of("id"), user = field_id::of("user"),
             content = field_id::of("content"), device = field_id::of("device"),
             ratio = field_id::of("ratio"), ok = field_id::of("ok"),
             region = field_id::of("region"), url = field_id::of("url"), ts = field_id::of("ts");
  std::map<std::string, int> devices;
  std::set<std::int64_t> users;
  int oks = 0;
  const int n = 20'000;
  for (int i = 0; i < n; ++i) {
    auto r = g(static_cast<std::uint64_t>(i));
    CHECK(r.ts == 1'000'000 + i * 10);
    CHECK(r.value.get(ts) == value(r.ts));
    CHECK(r.value.get(id) == value(i));
    auto u = r.value.get(user).as_int();
    CHECK((u >= 1 && u <= 50));
    users.insert(u);
    auto c = r.value.get(content).as_int();
    CHECK((c >= 1 && c <= 20));
    ++devices[r.value.get(device).as_string()];
    auto q = r.value.get(ratio).as_double();
    CHECK((q >= 0.5 && q < 1.5));
    if (r.value.get(ok).as_bool()) ++oks;
    CHECK(r.value.get(region) == value("eu"));
    CHECK(r.value.get(url).as_string() ==
          "/c/" + std::to_string(c) + "/u" + std::to_string(u) + "?i=" + std::to_string(i));
    CHECK(r.value.size() == 9);  // eight fields and ts, in schema order, ts last
    CHECK(r.value.fields().back().id == ts);
  }
  CHECK(users.size() == 50);
  CHECK(devices.count("web") == 0);  // weight 0
  CHECK(devices["phone"] > 2 * devices["tv"]);
  CHECK(devices["phone"] < 4 * devices["tv"]);
  CHECK(oks > n / 5);
  CHECK(oks < n * 3 / 10);
}

TEST_CASE("row generator: zipf ranks follow 1 / k^s") {
  for (double s : {0.8, 1.0, 1.5}) {
    zipf_sampler z(10, s);
    splitmix64 rng(42);
    std::vector<int> count(11, 0);
    const int n = 200'000;
    for (int i = 0; i < n; ++i) {
      auto k = z(rng);
      REQUIRE((k >= 1 && k <= 10));
      ++count[k];
    }
    double norm = 0;
    for (int k = 1; k <= 10; ++k) norm += std::pow(k, -s);
    for (int k = 1; k <= 10; ++k) {
      double expected = n * std::pow(k, -s) / norm;
      // within 5 standard deviations of the binomial count
      double sd = std::sqrt(expected * (1 - expected / n));
      CHECK_MESSAGE(std::abs(count[k] - expected) < 5 * sd, "s=" << s << " k=" << k);
    }
  }
  CHECK_THROWS_AS(zipf_sampler(0, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(zipf_sampler(10, 0.0), std::invalid_argument);
}

TEST_CASE("row generator: disorder moves records back by at most max_disorder") {
  auto s = content_spec();
  s.time.max_disorder = 500;
  row_generator g(s);
  bool moved = false;
  for (std::uint64_t i = 0; i < 5'000; ++i) {
    auto r = g(i);
    auto in_order = 1'000'000 + static_cast<timestamp>(i) * 10;
    CHECK(r.ts <= in_order);
    CHECK(r.ts >= in_order - 500);
    moved = moved || r.ts < in_order - 250;
  }
  CHECK(moved);
}

TEST_CASE("row generator: bad fields are named") {
  auto with = [](generated_field f) {
    auto s = content_spec();
    s.fields.push_back(std::move(f));
    return error_of(std::move(s));
  };
  CHECK(with(generated_field::uniform_int("n", 5, 4)) == "generated field \"n\": min is above max");
  CHECK(with(generated_field::zipf("z", 10, -1)) ==
        "generated field \"z\": zipf: the exponent must be above 0");
  CHECK(with(generated_field::choice("c", {1, 2}, {1})) ==
        "generated field \"c\": 2 choices but 1 weights");
  CHECK(with(generated_field::choice("c", {1, 2}, {0, 0})) ==
        "generated field \"c\": the weights add up to 0");
  CHECK(with(generated_field::pattern("p", "/x/{later}")) ==
        "generated field \"p\": {later} names no earlier field (fields are made in order)");
  CHECK(with(generated_field::pattern("p", "/x/{user")) ==
        "generated field \"p\": a '{' without '}' in \"/x/{user\"");
  CHECK(with(generated_field::sequence("user")) == "generated field \"user\": named twice");
  CHECK(with(generated_field::sequence("ts")) ==
        "generated field \"ts\": is the event-time field, which the generator fills");
  CHECK(with(generated_field::boolean("b", 1.5)) ==
        "generated field \"b\": probability must be in [0, 1]");
  auto s = content_spec();
  s.time.per_second = 0;
  CHECK(error_of(s) == "generated event time: per_second must be above 0");
}
