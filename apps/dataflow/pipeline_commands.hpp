// The pipeline-file commands of the dataflow CLI: run, validate and graph.
#pragma once

#include <string>

namespace dataflow::apps {

struct run_options {
  std::string pipeline;
  /// The progress line on stderr: auto (when stderr is a terminal), always or never.
  std::string progress = "auto";
};

/// `dataflow run PIPELINE`: runs it embedded; 0 when bounded inputs are done, or when an
/// unbounded run is stopped with SIGINT or SIGTERM (Ctrl-C).
int run_pipeline(const run_options& opts);
/// `dataflow validate PIPELINE`: checks it and prints the graph.
int validate_pipeline(const std::string& path);
/// `dataflow graph PIPELINE [--json]`: prints the logical graph.
int print_pipeline_graph(const std::string& path, bool json);

}  // namespace dataflow::apps
