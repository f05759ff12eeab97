// A pipeline file, parsed: named sources, steps and sinks, each with the place in the file it
// came from, so that building the job can still name the file, line and key of a problem.
// docs/pipeline-reference.md documents every key. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataflow/aggregate/row_aggregates.hpp"
#include "dataflow/json/json_line_parser.hpp"
#include "dataflow/row/value.hpp"
#include "dataflow/source/row_generator.hpp"
#include "dataflow/state/state_backend_config.hpp"
#include "dataflow/time/timestamp.hpp"
#include "dataflow/window/window_trigger.hpp"

namespace dataflow {

/// Where something is in the pipeline file.
struct source_location {
  std::string file;
  int line = 0;     // 1-based; 0 when unknown
  int column = 0;   // 1-based
  std::string key;  // the path of keys, e.g. steps[2].window.size
  [[nodiscard]] std::string to_string() const;
};

/// How a stream's watermarks are made.
struct watermark_spec {
  enum class kind : std::uint8_t { none, monotonous, bounded_out_of_orderness, punctuated };
  kind what = kind::none;
  duration_ms max_delay = 0;
  duration_ms idleness = 0;  // 0: none
};

struct source_spec {
  std::string name;
  source_location where;
  std::string type;  // json_lines | generator | hybrid
  watermark_spec watermarks;
  int parallelism = 0;  // 0: the pipeline's

  // json_lines
  std::string path;
  json_parse_options parse;
  std::string dead_letters;  // a JSON-lines file; empty: <name>.dead-letters.jsonl

  // generator
  std::optional<std::uint64_t> count;  // empty: unbounded
  double rate = 0;                     // records per second in processing time; 0: unlimited
  row_generator_spec generator;

  // hybrid: parts[0] is the history (json_lines), parts[1] the live source (generator)
  std::vector<source_spec> parts;
  timestamp switch_at = 0;
};

struct comparison {
  std::string field;
  std::string op;  // == != < <= > >=
  value literal;
};

struct window_spec {
  enum class kind : std::uint8_t { tumbling, sliding, session };
  kind what = kind::tumbling;
  duration_ms size = 0, slide = 0, offset = 0, gap = 0;
};

struct aggregate_spec {
  row_aggregate_kind kind = row_aggregate_kind::count;
  std::string field;   // empty for count over rows
  std::string output;  // defaults to <kind> or <kind>_<field>
};

/// One step: exactly one of the operations is set.
struct step_spec {
  enum class kind : std::uint8_t {
    filter,
    project,
    rename,
    union_all,
    watermarks,
    window,
    enrich,
    interval_join
  };
  std::string name;
  source_location where;
  kind what = kind::filter;
  std::vector<std::string> inputs;  // one, or several for union
  int parallelism = 0;

  std::vector<comparison> conditions;                        // filter: all must hold
  std::vector<std::string> fields;                           // project
  std::vector<std::pair<std::string, std::string>> renames;  // rename: from, to
  watermark_spec watermarks;                                 // watermarks
  std::vector<std::string> key_by;                           // window, enrich (empty: all)
  window_spec window;                                        // window, enrich
  window_trigger trigger = window_trigger::event_time();     // window
  duration_ms allowed_lateness = 0;                          // window, enrich
  std::string late_output;  // window: the name of the late-data stream; empty: dropped
  std::vector<aggregate_spec> aggregates;  // window, enrich
  std::string results_output;  // enrich: the name of the stream of window results; empty: none

  // interval_join: inputs[0] is the left stream, inputs[1] the right one
  std::vector<std::string> right_key_by;  // empty: the same fields as key_by
  duration_ms lower = 0, upper = 0;
  bool lower_inclusive = true, upper_inclusive = true;
  std::string right_prefix = "right_";  // for right fields whose name the left row has
  std::string late_left, late_right;    // late-data stream names; empty: dropped
};

struct sink_spec {
  std::string name;
  source_location where;
  std::string input;
  std::string type;  // json_lines | stdout
  std::string path;
  bool write_watermarks = false;
  std::uint64_t roll_bytes = 0;
  duration_ms roll_interval = 0;
  int parallelism = 0;
};

/// The `checkpoints` section: job_options::checkpoints.
struct checkpoints_spec {
  source_location where;
  std::string directory;
  duration_ms interval = 0;
  int retained = 3;
  std::optional<duration_ms> timeout;  // 0: never; absent: job_options' default
  bool snapshot_on_task = false;
};

/// The `channels` section: job_options::channels; what is absent keeps its default.
struct channels_spec {
  source_location where;
  std::optional<int> batch_size;
  std::optional<duration_ms> buffer_timeout;
  std::optional<int> credits;
};

/// The `state` section: which backend keeps keyed state (job_options::backend).
struct state_spec {
  source_location where;
  state_backend_config config;
};

/// The `control` section: the control port `dataflow run` serves (savepoints, stop, status).
struct control_spec {
  source_location where;
  int port = 0;  // 0: a free one
  std::string port_file;
};

struct pipeline_spec {
  std::string file;
  std::string name = "pipeline";
  int parallelism = 1;
  std::optional<checkpoints_spec> checkpoints;
  std::optional<state_spec> state;
  std::optional<control_spec> control;
  std::optional<channels_spec> channels;
  std::vector<source_spec> sources;
  std::vector<step_spec> steps;
  std::vector<sink_spec> sinks;
};

}  // namespace dataflow
