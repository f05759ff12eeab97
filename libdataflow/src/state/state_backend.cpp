#include "dataflow/state/state_backend.hpp"

namespace dataflow {

expected<std::unique_ptr<kv_table>> state_backend::open_table(std::string_view, int,
                                                              std::string_view) {
  return status{errc::invalid_configuration,
                std::string("state backend '") + std::string(name()) + "' has no byte tables"};
}

std::shared_ptr<state_backend> make_memory_state_backend() {
  return std::make_shared<memory_state_backend>();
}

}  // namespace dataflow
