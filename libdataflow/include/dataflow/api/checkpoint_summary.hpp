// A few lines on what a job's checkpoints cost and where the time went, for the end of a run
// (`dataflow run`, content_metrics):
//
//   checkpoints: 9 completed, 0 aborted, duration p50 5604 ms, p99 6410 ms, max 6410 ms, ...
//     where the time went (p50 / max over checkpoints): start delay 4102 / 5210 ms, ...
//     waited for most often: content-7d#1 (7 of 9)
//
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "dataflow/api/job_result.hpp"

namespace dataflow {

/// The summary of `r.checkpoints` and `r.checkpoints_aborted`, one line per fact, each ending
/// in '\n'; empty when the job took no checkpoint and gave none up.
std::string summarize_checkpoints(const job_result& r);

}  // namespace dataflow
