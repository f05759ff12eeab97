// The library version. Thread-safety: constants.
#pragma once

namespace dataflow {

/// "0.1.0"
const char* version() noexcept;

}  // namespace dataflow
