#include "dataflow/pipeline/pipeline_parser.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "dataflow/core/parse_duration.hpp"
#include "dataflow/core/parse_timestamp.hpp"
#include "dataflow/runtime/channel_options.hpp"

namespace dataflow {

std::string source_location::to_string() const {
  std::string s = file;
  if (line > 0) {
    s += ':';
    s += std::to_string(line);
    s += ':';
    s += std::to_string(column);
  }
  if (!key.empty()) {
    s += ": ";
    s += key;
  }
  return s;
}

namespace {

/// Thrown inside the parser only; parse_pipeline turns it into a status.
struct parse_error {
  std::string message;
};

class reader {
 public:
  explicit reader(std::string file) : file_(std::move(file)) {}

  source_location at(const YAML::Node& n, const std::string& key) const {
    auto m = n.Mark();
    return {file_, m.line >= 0 ? m.line + 1 : 0, m.column >= 0 ? m.column + 1 : 0, key};
  }

  [[noreturn]] void fail(const YAML::Node& n, const std::string& key,
                         const std::string& what) const {
    throw parse_error{at(n, key).to_string() + ": " + what};
  }

  /// Checks that `map` has only the keys in `allowed`.
  void only(const YAML::Node& map, const std::string& key,
            std::initializer_list<const char*> allowed) const {
    if (!map.IsMap()) fail(map, key, "expected a mapping (key: value lines)");
    for (auto it = map.begin(); it != map.end(); ++it) {
      auto k = it->first.as<std::string>();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; })) {
        std::string list;
        for (auto* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        fail(it->first, join(key, k), "unknown key \"" + k + "\"; expected one of: " + list);
      }
    }
  }

  static std::string join(const std::string& a, const std::string& b) {
    return a.empty() ? b : a + "." + b;
  }

  std::string str(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, key, "expected a string");
    return n.as<std::string>();
  }
  std::string required_str(const YAML::Node& map, const char* k, const std::string& key) const {
    auto n = map[k];
    if (!n) fail(map, join(key, k), "missing; this key is required");
    return str(n, join(key, k));
  }
  std::int64_t integer(const YAML::Node& n, const std::string& key) const {
    std::int64_t v = 0;
    if (!n.IsScalar() || !YAML::convert<std::int64_t>::decode(n, v))
      fail(n, key, "expected an integer, got \"" + scalar(n) + "\"");
    return v;
  }
  int positive_int(const YAML::Node& n, const std::string& key) const {
    auto v = integer(n, key);
    if (v <= 0 || v > 1 << 20) fail(n, key, "expected a positive integer, got " + scalar(n));
    return static_cast<int>(v);
  }
  bool boolean(const YAML::Node& n, const std::string& key) const {
    bool v = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
      fail(n, key, "expected true or false, got \"" + scalar(n) + "\"");
    return v;
  }
  duration_ms duration(const YAML::Node& n, const std::string& key) const {
    auto d = parse_duration(str(n, key));
    if (!d)
      fail(n, key,
           "expected a duration such as 250ms, 5s, 1m, 1h or 7d, got \"" + scalar(n) + "\"");
    return *d;
  }
  std::uint64_t bytes(const YAML::Node& n, const std::string& key) const {
    auto s = str(n, key);
    std::uint64_t mult = 1;
    std::string num = s;
    for (auto [suffix, m] : {std::pair{"KB", 1ull << 10}, {"MB", 1ull << 20}, {"GB", 1ull << 30}})
      if (s.size() > 2 && s.substr(s.size() - 2) == suffix) {
        mult = m;
        num = s.substr(0, s.size() - 2);
      }
    try {
      std::size_t used = 0;
      auto v = std::stoull(num, &used);
      if (used == num.size() && v > 0) return v * mult;
    } catch (const std::exception&) {
    }
    fail(n, key, "expected a size such as 1048576, 512KB, 64MB or 1GB, got \"" + s + "\"");
  }
  std::vector<std::string> names(const YAML::Node& n, const std::string& key) const {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(n.as<std::string>());
    } else if (n.IsSequence()) {
      for (std::size_t i = 0; i < n.size(); ++i)
        out.push_back(str(n[i], key + "[" + std::to_string(i) + "]"));
    } else {
      fail(n, key, "expected a name or a list of names");
    }
    if (out.empty()) fail(n, key, "expected at least one name");
    return out;
  }
  static std::string scalar(const YAML::Node& n) {
    return n.IsScalar() ? n.as<std::string>() : std::string("(not a single value)");
  }
  /// A YAML scalar as a value: int, double, bool, null or string.
  static value literal(const YAML::Node& n) {
    if (n.IsNull()) return value{};
    std::int64_t i = 0;
    double d = 0;
    bool b = false;
    const auto& tag = n.Tag();
    if (tag != "!" && YAML::convert<std::int64_t>::decode(n, i)) return value{i};
    if (tag != "!" && YAML::convert<double>::decode(n, d)) return value{d};
    if (tag != "!" && YAML::convert<bool>::decode(n, b)) return value{b};
    return value{n.as<std::string>()};
  }

  watermark_spec watermarks(const YAML::Node& n, const std::string& key) const {
    only(n, key, {"strategy", "max_delay", "idleness"});
    watermark_spec w;
    auto s = required_str(n, "strategy", key);
    if (s == "none")
      w.what = watermark_spec::kind::none;
    else if (s == "monotonous")
      w.what = watermark_spec::kind::monotonous;
    else if (s == "bounded_out_of_orderness")
      w.what = watermark_spec::kind::bounded_out_of_orderness;
    else if (s == "punctuated")
      w.what = watermark_spec::kind::punctuated;
    else
      fail(n["strategy"], join(key, "strategy"),
           "expected none, monotonous, bounded_out_of_orderness or punctuated, got \"" + s + "\"");
    if (auto d = n["max_delay"]) {
      if (w.what != watermark_spec::kind::bounded_out_of_orderness)
        fail(d, join(key, "max_delay"), "only for strategy bounded_out_of_orderness");
      w.max_delay = duration(d, join(key, "max_delay"));
    } else if (w.what == watermark_spec::kind::bounded_out_of_orderness) {
      fail(n, join(key, "max_delay"), "missing; bounded_out_of_orderness needs it");
    }
    if (auto d = n["idleness"]) w.idleness = duration(d, join(key, "idleness"));
    return w;
  }

  /// A source; with `part_type`, the history or live part of the hybrid source `owner`.
  source_spec source(const YAML::Node& n, const std::string& key, const char* part_type = nullptr,
                     const std::string& owner = {}) const {
    if (!n.IsMap()) fail(n, key, "expected a mapping (key: value lines)");
    source_spec s;
    s.where = at(n, key);
    if (part_type) {
      for (auto* k : {"name", "type", "parallelism"})
        if (n[k]) fail(n[k], join(key, k), "set on the hybrid source, not on its parts");
      s.type = part_type;
      s.name = owner;
    } else {
      s.type = required_str(n, "type", key);
    }
    if (s.type == "generator") return generator_source(n, key, std::move(s));
    if (s.type == "hybrid" && !part_type) return hybrid_source(n, key, std::move(s));
    if (s.type != "json_lines")
      fail(n["type"], join(key, "type"),
           "expected json_lines, generator or hybrid, got \"" + s.type + "\"");
    only(n, key,
         {"name", "type", "path", "event_time", "watermarks", "dead_letters", "fields",
          "parallelism"});
    if (s.name.empty()) s.name = required_str(n, "name", key);
    s.path = required_str(n, "path", key);
    if (auto e = n["event_time"]) {
      const auto k = join(key, "event_time");
      only(e, k, {"field", "format"});
      s.parse.timestamp_field = required_str(e, "field", k);
      if (auto f = e["format"]) {
        auto v = str(f, join(k, "format"));
        if (v == "epoch_millis")
          s.parse.time = time_format::epoch_millis;
        else if (v == "epoch_seconds")
          s.parse.time = time_format::epoch_seconds;
        else if (v == "iso8601")
          s.parse.time = time_format::iso8601;
        else
          fail(f, join(k, "format"),
               "expected epoch_millis, epoch_seconds or iso8601, got \"" + v + "\"");
      }
    }
    if (auto w = n["watermarks"]) s.watermarks = watermarks(w, join(key, "watermarks"));
    if (auto d = n["dead_letters"]) s.dead_letters = str(d, join(key, "dead_letters"));
    if (auto f = n["fields"]) {
      const auto k = join(key, "fields");
      only_any_map(f, k);
      for (auto it = f.begin(); it != f.end(); ++it) {
        auto name = it->first.as<std::string>();
        auto t = str(it->second, join(k, name));
        auto parsed = parse_json_type(t);
        if (!parsed)
          fail(it->second, join(k, name),
               "expected int, number, double, string, bool, list or object, got \"" + t + "\"");
        s.parse.field_types.push_back({name, *parsed, false});
      }
    }
    if (auto p = n["parallelism"]) s.parallelism = positive_int(p, join(key, "parallelism"));
    return s;
  }

  source_spec generator_source(const YAML::Node& n, const std::string& key, source_spec s) const {
    only(n, key,
         {"name", "type", "count", "rate", "seed", "event_time", "schema", "watermarks",
          "parallelism"});
    if (s.name.empty()) s.name = required_str(n, "name", key);
    if (auto c = n["count"]) {
      auto v = integer(c, join(key, "count"));
      if (v <= 0) fail(c, join(key, "count"), "expected a positive number of records");
      s.count = static_cast<std::uint64_t>(v);
    }
    if (auto r = n["rate"]) s.rate = number(r, join(key, "rate"), 0);
    auto& g = s.generator;
    if (auto sd = n["seed"]) g.seed = static_cast<std::uint64_t>(integer(sd, join(key, "seed")));
    if (auto e = n["event_time"]) {
      const auto k = join(key, "event_time");
      only(e, k, {"field", "start", "per_second", "max_disorder"});
      if (auto f = e["field"]) g.time.field = str(f, join(k, "field"));
      if (auto st = e["start"]) g.time.start = time_point(st, join(k, "start"));
      if (auto p = e["per_second"]) {
        g.time.per_second = number(p, join(k, "per_second"), 0);
        if (g.time.per_second <= 0) fail(p, join(k, "per_second"), "expected a number above 0");
      } else if (s.rate > 0) {
        g.time.per_second = s.rate;  // event time keeps pace with processing time
      }
      if (auto d = e["max_disorder"]) g.time.max_disorder = duration(d, join(k, "max_disorder"));
    } else if (s.rate > 0) {
      g.time.per_second = s.rate;
    }
    auto schema = n["schema"];
    const auto sk = join(key, "schema");
    if (!schema) fail(n, sk, "missing; name the fields to generate");
    if (!schema.IsMap() || schema.size() == 0)
      fail(schema, sk, "expected a mapping of field names to how they are made");
    for (auto it = schema.begin(); it != schema.end(); ++it) {
      auto name = it->first.as<std::string>();
      const auto fk = join(sk, name);
      g.fields.push_back(generated(it->second, fk, name));
      try {
        row_generator check(g);  // validates each field where it is written
      } catch (const std::invalid_argument& e) {
        fail(it->second, fk, e.what());
      }
    }
    if (auto w = n["watermarks"]) s.watermarks = watermarks(w, join(key, "watermarks"));
    if (s.watermarks.what == watermark_spec::kind::punctuated)
      fail(n["watermarks"], join(key, "watermarks.strategy"),
           "a generator makes no watermark lines; use monotonous or bounded_out_of_orderness");
    if (auto p = n["parallelism"]) s.parallelism = positive_int(p, join(key, "parallelism"));
    return s;
  }

  /// History (JSON lines) then live (a generator), split at an event time.
  source_spec hybrid_source(const YAML::Node& n, const std::string& key, source_spec s) const {
    only(n, key, {"name", "type", "history", "live", "switch_at", "parallelism"});
    s.name = required_str(n, "name", key);
    if (!n["history"]) fail(n, join(key, "history"), "missing; a json_lines source's keys");
    if (!n["live"]) fail(n, join(key, "live"), "missing; a generator source's keys");
    if (!n["switch_at"])
      fail(n, join(key, "switch_at"),
           "missing; the event time at which the live source takes over (epoch ms or ISO-8601)");
    s.parts.push_back(source(n["history"], join(key, "history"), "json_lines", s.name));
    s.parts.push_back(source(n["live"], join(key, "live"), "generator", s.name));
    s.switch_at = time_point(n["switch_at"], join(key, "switch_at"));
    if (auto p = n["parallelism"]) s.parallelism = positive_int(p, join(key, "parallelism"));
    return s;
  }

  /// An event time: epoch milliseconds or ISO-8601.
  timestamp time_point(const YAML::Node& n, const std::string& key) const {
    std::int64_t ms = 0;
    if (YAML::convert<std::int64_t>::decode(n, ms)) return ms;
    auto t = parse_iso8601(str(n, key));
    if (!t)
      fail(n, key,
           "expected epoch milliseconds or an ISO-8601 time such as 2026-11-24T00:00:00Z, got "
           "\"" +
               scalar(n) + "\"");
    return *t;
  }

  /// One field of a generator's schema.
  generated_field generated(const YAML::Node& n, const std::string& key,
                            const std::string& name) const {
    static const char* expected =
        "expected sequence, or one of {uniform: [min, max]}, {zipf: {n: N, exponent: E}}, "
        "{choice: [...], weights: [...]}, {bool: P}, {constant: V}, {pattern: \"text {field}\"}";
    if (n.IsScalar()) {
      if (n.as<std::string>() == "sequence") return generated_field::sequence(name);
      fail(n, key, expected);
    }
    if (!n.IsMap()) fail(n, key, expected);
    only(n, key, {"uniform", "zipf", "choice", "weights", "bool", "constant", "pattern"});
    if (auto u = n["uniform"]) {
      const auto k = join(key, "uniform");
      if (!u.IsSequence() || u.size() != 2) fail(u, k, "expected [min, max]");
      std::int64_t a = 0, b = 0;
      if (YAML::convert<std::int64_t>::decode(u[0], a) &&
          YAML::convert<std::int64_t>::decode(u[1], b))
        return generated_field::uniform_int(name, a, b);
      return generated_field::uniform_double(name, number(u[0], k + "[0]"),
                                             number(u[1], k + "[1]"));
    }
    if (auto z = n["zipf"]) {
      const auto k = join(key, "zipf");
      only(z, k, {"n", "exponent", "first"});
      if (!z["n"]) fail(z, join(k, "n"), "missing; the number of distinct values");
      auto count = integer(z["n"], join(k, "n"));
      if (count <= 0) fail(z["n"], join(k, "n"), "expected a positive integer");
      double e = z["exponent"] ? number(z["exponent"], join(k, "exponent")) : 1.0;
      std::int64_t first = z["first"] ? integer(z["first"], join(k, "first")) : 1;
      return generated_field::zipf(name, static_cast<std::uint64_t>(count), e, first);
    }
    if (auto c = n["choice"]) {
      const auto k = join(key, "choice");
      if (!c.IsSequence() || c.size() == 0) fail(c, k, "expected a list of values");
      std::vector<value> values;
      for (std::size_t i = 0; i < c.size(); ++i) {
        if (!c[i].IsScalar() && !c[i].IsNull())
          fail(c[i], k + "[" + std::to_string(i) + "]", "expected a single value");
        values.push_back(literal(c[i]));
      }
      std::vector<double> weights;
      if (auto w = n["weights"]) {
        const auto wk = join(key, "weights");
        if (!w.IsSequence()) fail(w, wk, "expected a list of numbers, one per choice");
        for (std::size_t i = 0; i < w.size(); ++i)
          weights.push_back(number(w[i], wk + "[" + std::to_string(i) + "]"));
      }
      return generated_field::choice(name, std::move(values), std::move(weights));
    }
    if (n["weights"]) fail(n["weights"], join(key, "weights"), "only with choice");
    if (auto b = n["bool"]) return generated_field::boolean(name, number(b, join(key, "bool")));
    if (auto c = n["constant"]) return generated_field::constant(name, literal(c));
    if (auto p = n["pattern"]) return generated_field::pattern(name, str(p, join(key, "pattern")));
    fail(n, key, expected);
  }

  double number(const YAML::Node& n, const std::string& key,
                std::optional<double> at_least = std::nullopt) const {
    double v = 0;
    if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v))
      fail(n, key, "expected a number, got \"" + scalar(n) + "\"");
    if (at_least && v < *at_least) fail(n, key, "expected a number not below 0");
    return v;
  }

  void only_any_map(const YAML::Node& n, const std::string& key) const {
    if (!n.IsMap()) fail(n, key, "expected a mapping (key: value lines)");
  }

  window_spec window(const YAML::Node& n, const std::string& key) const {
    only(n, key, {"type", "size", "slide", "offset", "gap"});
    window_spec w;
    auto t = required_str(n, "type", key);
    auto need = [&](const char* k) {
      if (!n[k]) fail(n, join(key, k), std::string("missing; a ") + t + " window needs it");
      return duration(n[k], join(key, k));
    };
    auto forbid = [&](const char* k) {
      if (n[k]) fail(n[k], join(key, k), std::string("not used by a ") + t + " window");
    };
    if (t == "tumbling") {
      w.what = window_spec::kind::tumbling;
      w.size = need("size");
      forbid("slide");
      forbid("gap");
    } else if (t == "sliding") {
      w.what = window_spec::kind::sliding;
      w.size = need("size");
      w.slide = need("slide");
      forbid("gap");
    } else if (t == "session") {
      w.what = window_spec::kind::session;
      w.gap = need("gap");
      forbid("size");
      forbid("slide");
      forbid("offset");
    } else {
      fail(n["type"], join(key, "type"),
           "expected tumbling, sliding or session, got \"" + t + "\"");
    }
    if (auto o = n["offset"]) w.offset = duration_or_negative(o, join(key, "offset"));
    return w;
  }

  duration_ms duration_or_negative(const YAML::Node& n, const std::string& key) const {
    auto s = str(n, key);
    if (!s.empty() && s[0] == '-') {
      auto d = parse_duration(s.substr(1));
      if (!d) fail(n, key, "expected a duration such as -8h or 30m, got \"" + s + "\"");
      return -*d;
    }
    return duration(n, key);
  }

  window_trigger trigger(const YAML::Node& n, const std::string& key) const {
    if (n.IsScalar()) {
      auto t = n.as<std::string>();
      if (t == "event_time") return window_trigger::event_time();
      if (t == "processing_time") return window_trigger::processing_time();
      fail(n, key,
           "expected event_time, processing_time, {count: N} or {purging: <trigger>}, got \"" + t +
               "\"");
    }
    only(n, key, {"count", "purging"});
    if (auto c = n["count"]) return window_trigger::count(positive_int(c, join(key, "count")));
    return window_trigger::purging(trigger(n["purging"], join(key, "purging")));
  }

  aggregate_spec aggregate(const YAML::Node& n, const std::string& key) const {
    // {count: requests} | {sum: bytes} | {count_distinct: user, as: users}
    only(n, key, {"count", "sum", "min", "max", "avg", "count_distinct", "collect", "as"});
    aggregate_spec a;
    int kinds = 0;
    for (auto it = n.begin(); it != n.end(); ++it) {
      auto k = it->first.as<std::string>();
      if (k == "as") continue;
      ++kinds;
      a.kind = *parse_row_aggregate_kind(k);
      if (a.kind == row_aggregate_kind::count) {
        // {count: <output>} counts rows; {count: <field>, as: <output>} counts a field
        if (n["as"])
          a.field = str(it->second, join(key, k));
        else
          a.output = str(it->second, join(key, k));
      } else {
        a.field = str(it->second, join(key, k));
      }
    }
    if (kinds != 1)
      fail(n, key, "expected exactly one of count, sum, min, max, avg, count_distinct, collect");
    if (auto as = n["as"]) a.output = str(as, join(key, "as"));
    if (a.output.empty())
      a.output = a.field.empty() ? std::string(to_string(a.kind))
                                 : std::string(to_string(a.kind)) + "_" + a.field;
    return a;
  }

  step_spec step(const YAML::Node& n, const std::string& key) const {
    only(n, key,
         {"name", "input", "inputs", "parallelism", "filter", "project", "rename", "union",
          "watermarks", "window", "key_by", "trigger", "allowed_lateness", "late_output",
          "aggregate", "enrich", "interval_join"});
    step_spec s;
    s.where = at(n, key);
    s.name = required_str(n, "name", key);
    if (auto p = n["parallelism"]) s.parallelism = positive_int(p, join(key, "parallelism"));
    int ops = 0;
    for (auto* op : {"filter", "project", "rename", "union", "watermarks", "window", "enrich",
                     "interval_join"})
      if (n[op]) ++ops;
    if (ops != 1)
      fail(n, key,
           "a step does exactly one of filter, project, rename, union, watermarks, window, "
           "enrich, interval_join");
    auto window_only = [&](const char* k) {
      if (n[k] && !n["window"]) fail(n[k], join(key, k), "only for a window step");
    };
    for (auto* k : {"key_by", "trigger", "allowed_lateness", "late_output", "aggregate"})
      window_only(k);
    if (auto u = n["union"]) {
      s.what = step_spec::kind::union_all;
      s.inputs = names(u, join(key, "union"));
      if (s.inputs.size() < 2) fail(u, join(key, "union"), "expected two or more streams");
      if (n["input"]) fail(n["input"], join(key, "input"), "a union names its inputs in union");
      return s;
    }
    if (auto j = n["interval_join"]) {
      s.what = step_spec::kind::interval_join;
      if (n["input"])
        fail(n["input"], join(key, "input"), "an interval join names its inputs as left and right");
      const auto k = join(key, "interval_join");
      only(j, k,
           {"left", "right", "key_by", "right_key_by", "between", "lower_exclusive",
            "upper_exclusive", "right_prefix", "late_left", "late_right"});
      s.inputs = {required_str(j, "left", k), required_str(j, "right", k)};
      if (!j["key_by"]) fail(j, join(k, "key_by"), "missing; the field(s) both sides match on");
      s.key_by = names(j["key_by"], join(k, "key_by"));
      if (auto r = j["right_key_by"]) {
        s.right_key_by = names(r, join(k, "right_key_by"));
        if (s.right_key_by.size() != s.key_by.size())
          fail(r, join(k, "right_key_by"), "expected as many fields as key_by");
      }
      auto b = j["between"];
      const auto bk = join(k, "between");
      if (!b) fail(j, bk, "missing; [lower, upper] such as [-5s, 0s]");
      if (!b.IsSequence() || b.size() != 2)
        fail(b, bk, "expected [lower, upper] such as [-5s, 0s]");
      s.lower = duration_or_negative(b[0], bk + "[0]");
      s.upper = duration_or_negative(b[1], bk + "[1]");
      if (s.lower > s.upper) fail(b, bk, "lower is above upper");
      if (auto e = j["lower_exclusive"])
        s.lower_inclusive = !boolean(e, join(k, "lower_exclusive"));
      if (auto e = j["upper_exclusive"])
        s.upper_inclusive = !boolean(e, join(k, "upper_exclusive"));
      if (auto p = j["right_prefix"]) s.right_prefix = str(p, join(k, "right_prefix"));
      if (auto l = j["late_left"]) s.late_left = str(l, join(k, "late_left"));
      if (auto l = j["late_right"]) s.late_right = str(l, join(k, "late_right"));
      return s;
    }
    if (!n["input"]) fail(n, join(key, "input"), "missing; name the stream this step reads");
    s.inputs = {str(n["input"], join(key, "input"))};
    if (auto f = n["filter"]) {
      s.what = step_spec::kind::filter;
      const auto k = join(key, "filter");
      auto one = [&](const YAML::Node& c, const std::string& ck) {
        only(c, ck, {"field", "op", "value"});
        comparison cmp;
        cmp.field = required_str(c, "field", ck);
        cmp.op = required_str(c, "op", ck);
        static const std::set<std::string> ops = {"==", "!=", "<", "<=", ">", ">="};
        if (!ops.count(cmp.op))
          fail(c["op"], join(ck, "op"), "expected ==, !=, <, <=, > or >=, got \"" + cmp.op + "\"");
        if (!c["value"]) fail(c, join(ck, "value"), "missing; the value to compare with");
        cmp.literal = literal(c["value"]);
        s.conditions.push_back(std::move(cmp));
      };
      if (f.IsSequence())
        for (std::size_t i = 0; i < f.size(); ++i) one(f[i], k + "[" + std::to_string(i) + "]");
      else
        one(f, k);
    } else if (auto p = n["project"]) {
      s.what = step_spec::kind::project;
      s.fields = names(p, join(key, "project"));
    } else if (auto r = n["rename"]) {
      s.what = step_spec::kind::rename;
      only_any_map(r, join(key, "rename"));
      for (auto it = r.begin(); it != r.end(); ++it)
        s.renames.emplace_back(it->first.as<std::string>(),
                               str(it->second, join(key, "rename." + it->first.as<std::string>())));
    } else if (auto w = n["watermarks"]) {
      s.what = step_spec::kind::watermarks;
      s.watermarks = watermarks(w, join(key, "watermarks"));
      if (s.watermarks.what == watermark_spec::kind::punctuated)
        fail(w, join(key, "watermarks.strategy"),
             "punctuated watermarks come from the input: set them on the source");
    } else if (auto w2 = n["window"]) {
      s.what = step_spec::kind::window;
      s.window = window(w2, join(key, "window"));
      if (auto k = n["key_by"]) s.key_by = names(k, join(key, "key_by"));
      if (auto t = n["trigger"]) s.trigger = trigger(t, join(key, "trigger"));
      if (auto l = n["allowed_lateness"])
        s.allowed_lateness = duration(l, join(key, "allowed_lateness"));
      if (auto l = n["late_output"]) s.late_output = str(l, join(key, "late_output"));
      auto a = n["aggregate"];
      if (!a) fail(n, join(key, "aggregate"), "missing; a window step needs aggregates");
      const auto ak = join(key, "aggregate");
      if (!a.IsSequence() || a.size() == 0)
        fail(a, ak, "expected a list such as [{count: requests}, {sum: bytes}]");
      for (std::size_t i = 0; i < a.size(); ++i)
        s.aggregates.push_back(aggregate(a[i], ak + "[" + std::to_string(i) + "]"));
    } else if (auto e = n["enrich"]) {
      s.what = step_spec::kind::enrich;
      const auto k = join(key, "enrich");
      only(e, k, {"window", "key_by", "allowed_lateness", "aggregate", "results"});
      if (!e["window"]) fail(e, join(k, "window"), "missing; the windows to aggregate over");
      s.window = window(e["window"], join(k, "window"));
      if (s.window.what == window_spec::kind::session)
        fail(e["window"]["type"], join(k, "window.type"),
             "enrichment takes tumbling or sliding windows");
      if (auto kb = e["key_by"]) s.key_by = names(kb, join(k, "key_by"));
      if (auto l = e["allowed_lateness"])
        s.allowed_lateness = duration(l, join(k, "allowed_lateness"));
      if (auto r = e["results"]) s.results_output = str(r, join(k, "results"));
      auto a = e["aggregate"];
      const auto ak = join(k, "aggregate");
      if (!a) fail(e, ak, "missing; the aggregates to add to each element");
      if (!a.IsSequence() || a.size() == 0)
        fail(a, ak, "expected a list such as [{count: requests_7d}]");
      for (std::size_t i = 0; i < a.size(); ++i)
        s.aggregates.push_back(aggregate(a[i], ak + "[" + std::to_string(i) + "]"));
    }
    return s;
  }

  sink_spec sink(const YAML::Node& n, const std::string& key) const {
    only(n, key,
         {"name", "input", "type", "path", "write_watermarks", "roll_size", "roll_interval",
          "parallelism"});
    sink_spec s;
    s.where = at(n, key);
    s.input = required_str(n, "input", key);
    s.name = n["name"] ? str(n["name"], join(key, "name")) : s.input + "-sink";
    s.type = required_str(n, "type", key);
    if (s.type == "json_lines") {
      s.path = required_str(n, "path", key);
    } else if (s.type == "stdout") {
      if (n["path"]) fail(n["path"], join(key, "path"), "a stdout sink has no path");
    } else {
      fail(n["type"], join(key, "type"), "expected json_lines or stdout, got \"" + s.type + "\"");
    }
    if (auto w = n["write_watermarks"])
      s.write_watermarks = boolean(w, join(key, "write_watermarks"));
    if (auto r = n["roll_size"]) s.roll_bytes = bytes(r, join(key, "roll_size"));
    if (auto r = n["roll_interval"]) s.roll_interval = duration(r, join(key, "roll_interval"));
    if (auto p = n["parallelism"]) s.parallelism = positive_int(p, join(key, "parallelism"));
    return s;
  }

  checkpoints_spec checkpoints(const YAML::Node& n, const std::string& key) const {
    only(n, key, {"directory", "interval", "retained", "timeout", "snapshot_on_task"});
    checkpoints_spec c;
    c.where = at(n, key);
    c.directory = required_str(n, "directory", key);
    if (c.directory.empty()) fail(n["directory"], join(key, "directory"), "must not be empty");
    if (!n["interval"])
      fail(n, join(key, "interval"), "missing; how often to checkpoint, e.g. 10s");
    c.interval = duration(n["interval"], join(key, "interval"));
    if (c.interval <= 0) fail(n["interval"], join(key, "interval"), "must be positive");
    if (auto r = n["retained"]) c.retained = positive_int(r, join(key, "retained"));
    if (auto t = n["timeout"]) {
      c.timeout = duration(t, join(key, "timeout"));
      if (*c.timeout < 0) fail(t, join(key, "timeout"), "must not be negative");
    }
    if (auto b = n["snapshot_on_task"])
      c.snapshot_on_task = boolean(b, join(key, "snapshot_on_task"));
    return c;
  }

  channels_spec channels(const YAML::Node& n, const std::string& key) const {
    only(n, key, {"batch_size", "buffer_timeout", "credits"});
    channels_spec c;
    c.where = at(n, key);
    if (auto b = n["batch_size"]) c.batch_size = positive_int(b, join(key, "batch_size"));
    if (auto t = n["buffer_timeout"]) {
      c.buffer_timeout = duration(t, join(key, "buffer_timeout"));
      if (*c.buffer_timeout <= 0 ||
          std::chrono::milliseconds(*c.buffer_timeout) > channel_options::max_buffer_timeout)
        fail(t, join(key, "buffer_timeout"),
             "expected a duration from 1ms to 1h such as 20ms, got \"" + scalar(t) + "\"");
    }
    if (auto k = n["credits"]) c.credits = positive_int(k, join(key, "credits"));
    return c;
  }

  state_spec state(const YAML::Node& n, const std::string& key) const {
    only(n, key, {"backend", "directory", "cache_entries"});
    state_spec st;
    st.where = at(n, key);
    st.config.kind = required_str(n, "backend", key);
    if (st.config.kind != "memory" && st.config.kind != "rocksdb")
      fail(n["backend"], join(key, "backend"),
           "expected memory or rocksdb, got \"" + st.config.kind + "\"");
    if (auto d = n["directory"]) {
      if (st.config.kind != "rocksdb")
        fail(d, join(key, "directory"), "only the rocksdb backend has a directory");
      st.config.directory = str(d, join(key, "directory"));
    }
    if (auto c = n["cache_entries"]) {
      if (st.config.kind != "rocksdb")
        fail(c, join(key, "cache_entries"), "only the rocksdb backend has a cache");
      st.config.cache_entries =
          static_cast<std::size_t>(positive_int(c, join(key, "cache_entries")));
    }
    return st;
  }

  control_spec control(const YAML::Node& n, const std::string& key) const {
    only(n, key, {"port", "port_file"});
    control_spec c;
    c.where = at(n, key);
    if (!n["port"]) fail(n, join(key, "port"), "missing; a port on 127.0.0.1, or 0 for a free one");
    const auto port = integer(n["port"], join(key, "port"));
    if (port < 0 || port > 65535)
      fail(n["port"], join(key, "port"), "expected 0 to 65535, got " + scalar(n["port"]));
    c.port = static_cast<int>(port);
    if (auto f = n["port_file"]) {
      c.port_file = str(f, join(key, "port_file"));
      if (c.port_file.empty()) fail(f, join(key, "port_file"), "must not be empty");
    }
    return c;
  }

  pipeline_spec pipeline(const YAML::Node& root) const {
    if (!root.IsMap()) fail(root, "", "expected a mapping with sources, steps and sinks");
    only(root, "",
         {"name", "parallelism", "checkpoints", "state", "control", "channels", "sources", "steps",
          "sinks"});
    pipeline_spec p;
    p.file = file_;
    if (auto n = root["name"]) p.name = str(n, "name");
    if (auto n = root["parallelism"]) p.parallelism = positive_int(n, "parallelism");
    if (auto n = root["checkpoints"]) p.checkpoints = checkpoints(n, "checkpoints");
    if (auto n = root["state"]) p.state = state(n, "state");
    if (auto n = root["control"]) p.control = control(n, "control");
    if (auto n = root["channels"]) p.channels = channels(n, "channels");
    auto list = [&](const char* k, bool required) {
      auto n = root[k];
      if (!n) {
        if (required) fail(root, k, "missing; a pipeline needs at least one");
        return YAML::Node(YAML::NodeType::Sequence);
      }
      if (!n.IsSequence() || (required && n.size() == 0))
        fail(n, k, "expected a list (lines starting with \"- \")");
      return n;
    };
    auto sources = list("sources", true);
    for (std::size_t i = 0; i < sources.size(); ++i)
      p.sources.push_back(source(sources[i], "sources[" + std::to_string(i) + "]"));
    auto steps = list("steps", false);
    for (std::size_t i = 0; i < steps.size(); ++i)
      p.steps.push_back(step(steps[i], "steps[" + std::to_string(i) + "]"));
    auto sinks = list("sinks", true);
    for (std::size_t i = 0; i < sinks.size(); ++i)
      p.sinks.push_back(sink(sinks[i], "sinks[" + std::to_string(i) + "]"));
    return p;
  }

 private:
  std::string file_;
};

}  // namespace

expected<pipeline_spec> parse_pipeline(std::string_view yaml, const std::string& file) {
  try {
    auto root = YAML::Load(std::string(yaml));
    return reader(file).pipeline(root);
  } catch (const parse_error& e) {
    return status{errc::invalid_configuration, e.message};
  } catch (const YAML::Exception& e) {
    return status{errc::invalid_configuration, file + ":" + std::to_string(e.mark.line + 1) + ":" +
                                                   std::to_string(e.mark.column + 1) +
                                                   ": not valid YAML: " + e.msg};
  }
}

expected<pipeline_spec> parse_pipeline_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return status{errc::invalid_configuration, path + ": cannot read the pipeline file"};
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_pipeline(ss.str(), path);
}

}  // namespace dataflow
