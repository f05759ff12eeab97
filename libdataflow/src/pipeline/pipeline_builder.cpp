#include "dataflow/pipeline/pipeline_builder.hpp"

#include <chrono>
#include <map>
#include <optional>

#include "dataflow/aggregate/row_aggregates.hpp"
#include "dataflow/api/data_stream.hpp"
#include "dataflow/api/interval_joined_streams.hpp"
#include "dataflow/row/row_key.hpp"

namespace dataflow {
namespace {

struct build_error {
  std::string message;
};

[[noreturn]] void fail(const source_location& where, const std::string& key,
                       const std::string& what) {
  auto at = where;
  at.key = at.key.empty() ? key : at.key + "." + key;
  throw build_error{at.to_string() + ": " + what};
}

watermark_strategy strategy_of(const watermark_spec& w) {
  watermark_strategy s = watermark_strategy::none();
  switch (w.what) {
    case watermark_spec::kind::none:
    case watermark_spec::kind::punctuated:  // the source reads them from the input
      break;
    case watermark_spec::kind::monotonous:
      s = watermark_strategy::monotonous();
      break;
    case watermark_spec::kind::bounded_out_of_orderness:
      s = watermark_strategy::bounded_out_of_orderness(w.max_delay);
      break;
  }
  return w.idleness > 0 ? s.with_idleness(w.idleness) : s;
}

bool holds(const comparison& c, field_id f, const row& r) {
  const value* v = r.find(f);
  if (!v) return false;  // a missing field satisfies no comparison
  int cmp = compare(*v, c.literal);
  if (c.op == "==") return cmp == 0;
  if (c.op == "!=") return cmp != 0;
  if (c.op == "<") return cmp < 0;
  if (c.op == "<=") return cmp <= 0;
  if (c.op == ">") return cmp > 0;
  return cmp >= 0;
}

std::vector<field_id> field_ids(const std::vector<std::string>& names) {
  std::vector<field_id> ids;
  ids.reserve(names.size());
  for (auto& n : names) ids.push_back(field_id::of(n));
  return ids;
}

std::vector<row_aggregate_spec> aggregate_specs(const step_spec& s) {
  std::vector<row_aggregate_spec> specs;
  for (auto& a : s.aggregates)
    specs.push_back(
        {a.kind, a.field.empty() ? field_id{} : field_id::of(a.field), field_id::of(a.output)});
  return specs;
}

/// The key of a row: the values of some of its fields.
struct row_key_of {
  std::vector<field_id> ids;
  row_key operator()(const row& r) const { return row_key::of(r, ids); }
};

/// A window result as a row: the key fields, window_start, window_end, the aggregates.
struct window_result_row {
  std::vector<field_id> key_ids;
  field_id start_id = field_id::of("window_start"), end_id = field_id::of("window_end");
  row operator()(const row_key& k, const time_window& w, const row& aggs) const {
    row out;
    out.reserve(key_ids.size() + 2 + aggs.size());
    for (std::size_t i = 0; i < key_ids.size(); ++i) out.append(key_ids[i], k[i]);
    out.append(start_id, w.start);
    out.append(end_id, w.end);
    for (auto& f : aggs) out.append(f.id, f.value);
    return out;
  }
};

/// A left row joined with a right one: the left fields, then the right ones; a right field
/// whose name the left row has too goes in as prefix + name. The renamed ids are interned once
/// per name, not per result (key fields collide in every result).
class joined_row {
 public:
  explicit joined_row(std::string prefix) : prefix_(std::move(prefix)) {}
  row operator()(const row& l, const row& r) {
    row o = l;
    o.reserve(l.size() + r.size());
    for (auto& f : r) {
      if (!o.contains(f.id))
        o.append(f.id, f.value);
      else
        o.set(renamed(f.id), f.value);
    }
    return o;
  }

 private:
  field_id renamed(field_id id) {
    for (auto& [from, to] : renamed_)
      if (from == id) return to;
    auto to = field_id::of(prefix_ + std::string(id.name()));
    renamed_.emplace_back(id, to);
    return to;
  }
  std::string prefix_;
  std::vector<std::pair<field_id, field_id>> renamed_;
};

class builder {
 public:
  builder(const pipeline_spec& spec, environment& env) : spec_(spec), env_(env) {}

  built_pipeline build() {
    env_.set_parallelism(spec_.parallelism);
    env_.options().name = spec_.name;
    if (auto& c = spec_.checkpoints) {
      env_.options().checkpoints.directory = c->directory;
      env_.options().checkpoints.interval = std::chrono::milliseconds(c->interval);
      env_.options().checkpoints.retained = c->retained;
      if (c->timeout) env_.options().checkpoints.timeout = std::chrono::milliseconds(*c->timeout);
      env_.options().checkpoints.snapshot_on_task = c->snapshot_on_task;
    }
    if (auto& c = spec_.channels) {
      auto& ch = env_.options().channels;
      if (c->batch_size) ch.batch_size = static_cast<std::size_t>(*c->batch_size);
      if (c->buffer_timeout) ch.buffer_timeout = std::chrono::milliseconds(*c->buffer_timeout);
      if (c->credits) ch.credits = *c->credits;
    }
    if (auto& st = spec_.state) {
      // Opened here so that a directory that cannot be made stops the job before it starts.
      auto b = make_state_backend(st->config);
      if (!b) fail(st->where, "backend", b.error().message());
      env_.options().backend = std::move(*b);
      built_.state = st->config;
    }
    built_.control = spec_.control;
    for (auto& s : spec_.sources) add_source(s);
    for (auto& s : spec_.steps) add_step(s);
    for (auto& s : spec_.sinks) add_sink(s);
    return std::move(built_);
  }

 private:
  void define(const std::string& name, data_stream<row> s, const source_location& where) {
    if (streams_.count(name)) fail(where, "name", "a stream named \"" + name + "\" exists already");
    streams_.emplace(name, s);
  }

  data_stream<row> stream(const std::string& name, const source_location& where,
                          const std::string& key) {
    auto it = streams_.find(name);
    if (it != streams_.end()) return it->second;
    std::string known;
    for (auto& [n, _] : streams_) known += (known.empty() ? "" : ", ") + n;
    fail(where, key,
         "no stream named \"" + name +
             "\" (sources, steps and late outputs defined above: " + known + ")");
  }

  void add_source(const source_spec& s) {
    if (s.type == "generator") return add_generator(s);
    if (s.type == "hybrid") return add_hybrid(s);
    auto o = json_options(s);
    built_.sources.push_back({s.name, o.progress});
    auto rows = env_.from_json_lines(o, s.name);
    rows.uid("source-" + s.name);
    if (s.parallelism) rows.set_parallelism(s.parallelism);
    add_dead_letters(s, rows);
    define(s.name, rows, s.where);
  }

  static json_source_options json_options(const source_spec& s) {
    json_source_options o;
    o.path = s.path;
    o.parse = s.parse;
    o.watermarks = strategy_of(s.watermarks);
    o.watermarks_in_input = s.watermarks.what == watermark_spec::kind::punctuated;
    o.progress = std::make_shared<json_source_progress>();
    return o;
  }

  void add_dead_letters(const source_spec& s, data_stream<row>& rows) {
    json_sink_options dead;
    dead.path = s.dead_letters.empty() ? s.name + ".dead-letters.jsonl" : s.dead_letters;
    rows.side_output(json_lines_dead_letters)
        .sink_to_json_lines(dead, s.name + "-dead-letters")
        .uid(sink_uid("sink-" + s.name + "-dead-letters"))
        .set_parallelism(1);
  }

  static generator_options generator_opts(const source_spec& s,
                                          const std::shared_ptr<json_source_progress>& progress) {
    generator_options o;
    o.count = s.count;
    o.rate = s.rate;
    o.watermarks = strategy_of(s.watermarks);
    o.produced = std::shared_ptr<std::atomic<std::uint64_t>>(progress, &progress->records);
    return o;
  }

  static row_generator generator_of(const source_spec& s) {
    try {
      return row_generator(s.generator);
    } catch (const std::invalid_argument& e) {
      fail(s.where, "schema", e.what());
    }
  }

  void add_generator(const source_spec& s) {
    auto progress = std::make_shared<json_source_progress>();
    auto o = generator_opts(s, progress);
    built_.sources.push_back({s.name, progress, s.count.value_or(0), !s.count});
    auto rows = env_.from_generator<row>(generator_of(s), o, s.name);
    rows.uid("source-" + s.name);
    if (s.parallelism) rows.set_parallelism(s.parallelism);
    define(s.name, rows, s.where);
  }

  // History (JSON lines) then live (a generator); the counters of both go to one progress.
  void add_hybrid(const source_spec& s) {
    const auto& history = s.parts.at(0);
    const auto& live = s.parts.at(1);
    auto h = json_options(history);
    auto l = generator_opts(live, h.progress);
    hybrid_source_options o;
    o.history = [h, name = s.name] { return std::make_unique<json_lines_source_reader>(h, name); };
    o.live = [l, gen = generator_of(live)] {
      return std::make_unique<generator_source_reader<row>>(gen, l);
    };
    o.switch_at = s.switch_at;
    o.progress = std::make_shared<hybrid_source_progress>();
    built_.sources.push_back({s.name, h.progress, 0, !live.count, o.progress});
    auto rows = env_.from_hybrid<row>(o, s.name);
    rows.uid("source-" + s.name);
    if (s.parallelism) rows.set_parallelism(s.parallelism);
    add_dead_letters(history, rows);
    define(s.name, rows, s.where);
  }

  void add_step(const step_spec& s) {
    std::vector<data_stream<row>> in;
    for (std::size_t i = 0; i < s.inputs.size(); ++i)
      in.push_back(stream(s.inputs[i], s.where,
                          s.what == step_spec::kind::union_all ? "union"
                          : s.what == step_spec::kind::interval_join
                              ? (i == 0 ? "interval_join.left" : "interval_join.right")
                              : "input"));
    data_stream<row> out = in[0];
    switch (s.what) {
      case step_spec::kind::filter: {
        std::vector<std::pair<comparison, field_id>> conds;
        for (auto& c : s.conditions) conds.emplace_back(c, field_id::of(c.field));
        out = in[0].filter(
            [conds](const row& r) {
              for (auto& [c, f] : conds)
                if (!holds(c, f, r)) return false;
              return true;
            },
            s.name);
        break;
      }
      case step_spec::kind::project: {
        std::vector<field_id> keep;
        for (auto& f : s.fields) keep.push_back(field_id::of(f));
        out = in[0].map(
            [keep](const row& r) {
              row p;
              p.reserve(keep.size());
              for (auto f : keep)
                if (const value* v = r.find(f)) p.append(f, *v);
              return p;
            },
            s.name);
        break;
      }
      case step_spec::kind::rename: {
        std::vector<std::pair<field_id, field_id>> names;
        for (auto& [from, to] : s.renames) names.emplace_back(field_id::of(from), field_id::of(to));
        out = in[0].map(
            [names](const row& r) {
              row p = r;
              for (auto [from, to] : names) p.rename(from, to);
              return p;
            },
            s.name);
        break;
      }
      case step_spec::kind::union_all:
        out = in[0].union_with(std::vector<data_stream<row>>(in.begin() + 1, in.end()));
        out.name(s.name);
        break;
      case step_spec::kind::watermarks:
        out = in[0].assign_timestamps_and_watermarks(strategy_of(s.watermarks), s.name);
        break;
      case step_spec::kind::window:
        out = add_window(s, in[0]);
        break;
      case step_spec::kind::enrich:
        out = add_enrich(s, in[0]);
        break;
      case step_spec::kind::interval_join:
        out = add_interval_join(s, in[0], in[1]);
        break;
    }
    out.uid("step-" + s.name);
    if (s.parallelism) out.set_parallelism(s.parallelism);
    define(s.name, out, s.where);
  }

  data_stream<row> add_window(const step_spec& s, const data_stream<row>& in) {
    const auto key_ids = field_ids(s.key_by);
    const auto specs = aggregate_specs(s);
    const window_result_row result{key_ids};
    auto keyed = in.key_by(row_key_of{key_ids});
    output_tag<row> late{s.late_output};
    auto run = [&](auto assigner) {
      try {
        auto w = keyed.window(assigner);
        w.trigger(s.trigger).allowed_lateness(s.allowed_lateness);
        if (!s.late_output.empty()) w.side_output_late_data(late);
        return w.aggregate(row_aggregates(specs), result, s.name);
      } catch (const std::invalid_argument& e) {
        fail(s.where, "window", e.what());
      }
    };
    data_stream<row> out = [&] {
      switch (s.window.what) {
        case window_spec::kind::tumbling:
          return run(tumbling_windows(s.window.size, s.window.offset));
        case window_spec::kind::sliding:
          return run(sliding_windows(s.window.size, s.window.slide, s.window.offset));
        case window_spec::kind::session:
          break;
      }
      return run(session_windows(s.window.gap));
    }();
    if (key_ids.empty()) out.set_parallelism(1);  // one window per time range over everything
    if (!s.late_output.empty()) define(s.late_output, out.side_output(late), s.where);
    return out;
  }

  /// Each row once, with the aggregate fields of its key's first window after it, plus
  /// window_end and enrich_status; the aggregates are null when the row was too late.
  data_stream<row> add_enrich(const step_spec& s, const data_stream<row>& in) {
    const auto key_ids = field_ids(s.key_by);
    const auto specs = aggregate_specs(s);
    std::vector<field_id> outputs;
    for (auto& a : specs) outputs.push_back(a.output);
    const field_id end_id = field_id::of("window_end"), status_id = field_id::of("enrich_status");
    auto join = [outputs, end_id, status_id](const row& e, const row* aggs, const time_window& w,
                                             enrich_status st) {
      row out = e;
      out.reserve(e.size() + outputs.size() + 2);
      if (aggs)
        for (auto& f : *aggs) out.set(f.id, f.value);
      else
        for (auto id : outputs) out.set(id, value{});
      out.set(end_id, w.end);
      out.set(status_id, to_string(st));
      return out;
    };
    auto keyed = in.key_by(row_key_of{key_ids});
    const std::string tag = s.results_output.empty() ? "" : "results-" + s.name;
    auto run = [&](auto assigner) {
      try {
        auto w = keyed.window(assigner);
        w.allowed_lateness(s.allowed_lateness);
        if (!tag.empty()) w.side_output_results(tag);
        return w.enrich(row_aggregates(specs), join, s.name);
      } catch (const std::invalid_argument& e) {
        fail(s.where, "enrich", e.what());
      }
    };
    data_stream<row> out =
        s.window.what == window_spec::kind::tumbling
            ? run(tumbling_windows(s.window.size, s.window.offset))
            : run(sliding_windows(s.window.size, s.window.slide, s.window.offset));
    if (key_ids.empty()) out.set_parallelism(1);
    if (!tag.empty()) {
      auto results =
          out.side_output(output_tag<window_result<row_key, row>>{tag})
              .map(
                  [result = window_result_row{key_ids}](const window_result<row_key, row>& r) {
                    return result(r.key, r.window, r.value);
                  },
                  s.results_output);
      results.uid("step-" + s.name + "-results");
      if (key_ids.empty()) results.set_parallelism(1);
      define(s.results_output, results, s.where);
    }
    return out;
  }

  /// Left rows joined with the right rows of the same key within [l.ts + lower, l.ts + upper]:
  /// the left fields, then the right ones (renamed with right_prefix when the left has them).
  data_stream<row> add_interval_join(const step_spec& s, const data_stream<row>& left,
                                     const data_stream<row>& right) {
    auto lk = left.key_by(row_key_of{field_ids(s.key_by)});
    auto rk =
        right.key_by(row_key_of{field_ids(s.right_key_by.empty() ? s.key_by : s.right_key_by)});
    try {
      auto j = lk.interval_join(rk).between(s.lower, s.upper);
      if (!s.lower_inclusive) j.lower_bound_exclusive();
      if (!s.upper_inclusive) j.upper_bound_exclusive();
      const output_tag<row> late_l{s.late_left}, late_r{s.late_right};
      if (!s.late_left.empty()) j.side_output_left_late_data(late_l);
      if (!s.late_right.empty()) j.side_output_right_late_data(late_r);
      auto out = j.template process<row>(joined_row(s.right_prefix), s.name);
      if (!s.late_left.empty()) define(s.late_left, out.side_output(late_l), s.where);
      if (!s.late_right.empty()) define(s.late_right, out.side_output(late_r), s.where);
      return out;
    } catch (const std::invalid_argument& e) {
      fail(s.where, "interval_join", e.what());
    }
  }

  void add_sink(const sink_spec& s) {
    auto in = stream(s.input, s.where, "input");
    json_sink_options o;
    o.path = s.type == "stdout" ? "" : s.path;
    o.write_watermarks = s.write_watermarks;
    o.roll_bytes = s.roll_bytes;
    o.roll_interval = s.roll_interval;
    auto sink = in.sink_to_json_lines(o, s.name);
    sink.uid(sink_uid("sink-" + s.name));
    if (s.parallelism) sink.set_parallelism(s.parallelism);
    if (s.type == "stdout") sink.set_parallelism(1);
  }

  // Sinks need not have unique names (two unnamed sinks of one stream are both
  // "<input>-sink"); the second and later get "-2", "-3", ... in file order.
  std::string sink_uid(const std::string& base) {
    auto n = ++sink_uids_[base];
    return n == 1 ? base : base + "-" + std::to_string(n);
  }

  const pipeline_spec& spec_;
  environment& env_;
  std::map<std::string, int> sink_uids_;
  std::map<std::string, data_stream<row>> streams_;
  built_pipeline built_;
};

}  // namespace

expected<built_pipeline> build_pipeline(const pipeline_spec& spec, environment& env) {
  try {
    return builder(spec, env).build();
  } catch (const build_error& e) {
    return status{errc::invalid_configuration, e.message};
  }
}

}  // namespace dataflow
