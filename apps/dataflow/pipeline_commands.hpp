// The pipeline-file commands of the dataflow CLI: run, validate, graph and savepoint check.
#pragma once

#include <string>

namespace dataflow::apps {

struct run_options {
  std::string pipeline;
  /// The progress line on stderr: auto (when stderr is a terminal), always or never.
  std::string progress = "auto";
  /// Checkpoints; each set one overrides the pipeline file's `checkpoints` section.
  std::string checkpoint_dir;
  std::string checkpoint_interval;  // a duration such as 10s
  int retained = 0;                 // 0: not given
  std::string checkpoint_timeout;   // a duration; empty: the file's or 10 min
  bool snapshot_on_task = false;    // or the file's
  /// A duration; empty: the file's `channels.buffer_timeout` or 1 ms.
  std::string buffer_timeout;
  /// Restore from this checkpoint, savepoint or checkpoints directory.
  std::string from;
  bool allow_dropped_state = false;
  /// Keyed state; each set one overrides the pipeline file's `state` section.
  std::string state_backend;  // memory or rocksdb
  std::string state_dir;      // where RocksDB's working directory goes
  /// Serve the control API (control_server.hpp) on 127.0.0.1 at this port; 0 picks a free
  /// one; -1: none.
  int control_port = -1;
  /// Also write the control port to this file.
  std::string control_port_file;
};

/// `dataflow run PIPELINE`: runs it embedded; 0 when bounded inputs are done, when an
/// unbounded run is stopped with SIGINT or SIGTERM (Ctrl-C), or when it is stopped with a
/// savepoint through its control port; 1 when it fails (or the control port cannot be
/// served); 2 when the options are wrong.
int run_pipeline(const run_options& opts);

struct savepoint_check_options {
  std::string pipeline;
  std::string from;
  bool allow_dropped_state = false;
};

/// `dataflow savepoint check PIPELINE --from PATH`: builds the job without running it, loads
/// the checkpoint (every file checked) and prints the compatibility report; 0 when the job
/// can restore from it, 1 when not, 2 when the pipeline or the checkpoint cannot be read.
int check_savepoint(const savepoint_check_options& opts);
/// `dataflow validate PIPELINE`: checks it and prints the graph.
int validate_pipeline(const std::string& path);
/// `dataflow graph PIPELINE [--json]`: prints the logical graph.
int print_pipeline_graph(const std::string& path, bool json);

}  // namespace dataflow::apps
