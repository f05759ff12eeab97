// Turns a parsed pipeline file into a job graph on an environment: sources, steps and sinks
// become the same operators a C++ job uses (JSON-lines source, filter, map, union, watermark
// assigner, window operators over rows with row_aggregates, JSON-lines sinks). Problems that
// the file's syntax cannot show (a step reading a stream that does not exist, two streams with
// one name, an invalid window) are reported with the place in the file.
//
//   auto spec = dataflow::parse_pipeline_file("pipeline.yaml");
//   dataflow::local_environment env;
//   auto built = dataflow::build_pipeline(*spec, env);   // then env.execute()
//
// Window results are rows: the key fields, window_start and window_end (ms), then the
// aggregates. Late data and dead letters keep the input rows and lines unchanged.
// Thread-safety: build from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dataflow/api/environment.hpp"
#include "dataflow/io/json_lines_source.hpp"
#include "dataflow/pipeline/pipeline_spec.hpp"
#include "dataflow/source/hybrid_source.hpp"

namespace dataflow {

/// What a built pipeline offers while it runs.
struct built_pipeline {
  struct source_progress {
    std::string name;
    /// Counters of a JSON-lines source; a generator fills only `records`.
    std::shared_ptr<json_source_progress> progress;
    /// A bounded generator's record count (its progress is records / expected); 0 otherwise.
    std::uint64_t expected_records = 0;
    /// An unbounded generator (or hybrid source's live part): no fraction.
    bool unbounded = false;
    /// A hybrid source's drops at the switch; null for other sources.
    std::shared_ptr<hybrid_source_progress> hybrid = nullptr;
    /// The fraction done, 0..1.
    [[nodiscard]] double fraction() const noexcept {
      if (expected_records == 0) return progress->fraction();
      return static_cast<double>(progress->records.load()) / static_cast<double>(expected_records);
    }
  };
  std::vector<source_progress> sources;
  /// The `state` section (memory when the file has none); its backend is already in the
  /// environment's options.
  state_backend_config state;
  /// The `control` section, which `dataflow run` serves (its --control-port wins); none when
  /// the file has none.
  std::optional<control_spec> control;
};

expected<built_pipeline> build_pipeline(const pipeline_spec& spec, environment& env);

}  // namespace dataflow
