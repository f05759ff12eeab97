#include "dataflow/api/job_options.hpp"

#include <string>

namespace dataflow {

status job_options::validate() const {
  if (parallelism < 1)
    return {errc::invalid_configuration,
            "parallelism must be at least 1, got " + std::to_string(parallelism)};
  if (max_parallelism < parallelism)
    return {errc::invalid_configuration, "max_parallelism (" + std::to_string(max_parallelism) +
                                             ") is below parallelism (" +
                                             std::to_string(parallelism) + ")"};
  if (threads < 0)
    return {errc::invalid_configuration, "threads must be 0 (one per core) or positive"};
  if (!backend) return {errc::invalid_configuration, "no state backend"};
  if (checkpoints.interval.count() < 0)
    return {errc::invalid_configuration, "the checkpoint interval must not be negative"};
  if (checkpoints.interval.count() > 0 && checkpoints.directory.empty())
    return {errc::invalid_configuration, "checkpoints every " +
                                             std::to_string(checkpoints.interval.count()) +
                                             "ms need a checkpoint directory"};
  if (checkpoints.retained < 1)
    return {errc::invalid_configuration,
            "retained checkpoints must be at least 1, got " + std::to_string(checkpoints.retained)};
  return channels.validate();
}

}  // namespace dataflow
