// Reads a pipeline file (YAML) into a pipeline_spec. Every problem stops here, before anything
// runs, with the file, line, column and key, and what was expected:
//
//   pipeline.yaml:12:11: steps[1].window.size: expected a duration such as 250ms, 5s, 1m, 1h
//   or 7d, got "a minute"
//
// Unknown keys are errors too (a typo must not be ignored). docs/pipeline-reference.md lists
// every key. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "dataflow/core/status.hpp"
#include "dataflow/pipeline/pipeline_spec.hpp"

namespace dataflow {

/// Parses YAML text; `file` names it in errors.
expected<pipeline_spec> parse_pipeline(std::string_view yaml, const std::string& file);

/// Reads and parses the file at `path`.
expected<pipeline_spec> parse_pipeline_file(const std::string& path);

}  // namespace dataflow
