#include "dataflow/api/job_status.hpp"

namespace dataflow {

std::string_view to_string(job_state s) noexcept {
  switch (s) {
    case job_state::running:
      return "running";
    case job_state::ending:
      return "ending";
    case job_state::finished:
      return "finished";
    case job_state::cancelled:
      return "cancelled";
    case job_state::stopped:
      return "stopped";
    case job_state::failed:
      return "failed";
  }
  return "unknown";
}

}  // namespace dataflow
