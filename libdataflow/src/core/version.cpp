#include "dataflow/version.hpp"

namespace dataflow {

const char* version() noexcept {
  return DATAFLOW_VERSION;
}

}  // namespace dataflow
