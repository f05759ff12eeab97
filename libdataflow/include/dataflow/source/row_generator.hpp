// Rows made up from a schema, for demos, tests and benchmarks: the generator source of pipeline
// files. Record i is a pure function of (seed, i), so any instance can make any record, a run is
// reproducible, and a restart from a position makes the same records again.
//
//   row_generator_spec spec;
//   spec.seed = 7;
//   spec.time = {.field = "ts", .start = 0, .per_second = 1000, .max_disorder = 5000};
//   spec.fields.push_back(generated_field::uniform_int("user", 1, 1'000'000));
//   spec.fields.push_back(generated_field::zipf("content", 100'000, 1.0));
//   spec.fields.push_back(generated_field::pattern("url", "/c/{content}"));
//   row_generator gen(spec);               // throws std::invalid_argument on a bad spec
//   record<row> r = gen(42);               // the same row every time
//   env.from_generator<row>(gen, {.count = 1'000'000, .rate = 10'000});
//
// Thread-safety: immutable after construction; call it from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dataflow/core/zipf_sampler.hpp"
#include "dataflow/record/record.hpp"
#include "dataflow/row/field_id.hpp"
#include "dataflow/row/row.hpp"

namespace dataflow {

/// How one field of a generated row is made.
struct generated_field {
  enum class kind : std::uint8_t {
    sequence,        // the record's index
    uniform_int,     // uniform in [min, max]
    uniform_double,  // uniform in [dmin, dmax)
    zipf,            // rank in [min, min + n - 1]; min is the most frequent
    choice,          // one of `choices`, by `weights` (equal when empty)
    boolean,         // true with probability `probability`
    constant,        // `choices[0]`
    pattern,         // `text` with {field} replaced by earlier fields and {index} by the index
  };
  std::string name;
  kind what = kind::sequence;
  std::int64_t min = 0, max = 0;
  double dmin = 0, dmax = 1;
  std::uint64_t n = 1;
  double exponent = 1.0;
  std::vector<value> choices;
  std::vector<double> weights;
  double probability = 0.5;
  std::string text;

  static generated_field sequence(std::string name);
  static generated_field uniform_int(std::string name, std::int64_t min, std::int64_t max);
  static generated_field uniform_double(std::string name, double min, double max);
  static generated_field zipf(std::string name, std::uint64_t n, double exponent,
                              std::int64_t first = 1);
  static generated_field choice(std::string name, std::vector<value> choices,
                                std::vector<double> weights = {});
  static generated_field boolean(std::string name, double probability);
  static generated_field constant(std::string name, value v);
  static generated_field pattern(std::string name, std::string text);
};

/// Event time of generated records.
struct generated_time {
  /// The field that also holds the event time (epoch ms); empty: only the record's timestamp.
  /// Default: "ts".
  std::string field = "ts";
  /// Event time of record 0 (epoch ms). Default: 0.
  timestamp start = 0;
  /// Records per second of event time: record i is at start + i * 1000 / per_second.
  /// Default: 1000.
  double per_second = 1000;
  /// Each record's time is moved back by a uniform amount in [0, max_disorder], making the
  /// stream out of order by up to that much. Default: 0 (in order).
  duration_ms max_disorder = 0;
};

struct row_generator_spec {
  std::vector<generated_field> fields;
  generated_time time;
  std::uint64_t seed = 0;
};

class row_generator {
 public:
  /// Checks the spec: names unique and not empty, ranges non-empty, weights matching choices
  /// and positive, patterns naming earlier fields. Throws std::invalid_argument saying which
  /// field is wrong.
  explicit row_generator(row_generator_spec spec);

  /// Record `index`.
  record<row> operator()(std::uint64_t index) const;

  [[nodiscard]] const row_generator_spec& spec() const noexcept;

 private:
  struct compiled;
  std::shared_ptr<const compiled> impl_;
};

}  // namespace dataflow
