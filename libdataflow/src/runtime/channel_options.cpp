#include "dataflow/runtime/channel_options.hpp"

#include <string>

namespace dataflow {

status channel_options::validate() const {
  if (batch_size == 0)
    return {errc::invalid_configuration, "channels.batch_size must be at least 1"};
  if (buffer_timeout.count() <= 0)
    return {errc::invalid_configuration, "channels.buffer_timeout must be positive, got " +
                                             std::to_string(buffer_timeout.count()) + "us"};
  if (buffer_timeout > max_buffer_timeout)
    return {errc::invalid_configuration, "channels.buffer_timeout must be at most 1h, got " +
                                             std::to_string(buffer_timeout.count()) + "us"};
  if (credits < 1)
    return {errc::invalid_configuration,
            "channels.credits must be at least 1, got " + std::to_string(credits)};
  return status::ok();
}

}  // namespace dataflow
