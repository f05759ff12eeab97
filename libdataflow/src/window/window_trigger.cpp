#include "dataflow/window/window_trigger.hpp"

#include "dataflow/window/window_options.hpp"

namespace dataflow {

std::string window_trigger::to_string() const {
  std::string s;
  switch (kind_) {
    case kind::event_time:
      s = "event_time";
      break;
    case kind::processing_time:
      s = "processing_time";
      break;
    case kind::count:
      s = "count(" + std::to_string(count_) + ")";
      break;
  }
  return purging_ ? "purging(" + s + ")" : s;
}

status window_options::validate() const {
  if (allowed_lateness < 0)
    return {errc::invalid_configuration, "allowed lateness must not be negative, got " +
                                             std::to_string(allowed_lateness) + "ms"};
  if (trigger.what() == window_trigger::kind::count && trigger.max_count() <= 0)
    return {errc::invalid_configuration,
            "count trigger needs a positive count, got " + std::to_string(trigger.max_count())};
  if (max_output_per_step == 0)
    return {errc::invalid_configuration, "max_output_per_step must be positive"};
  return status::ok();
}

}  // namespace dataflow
