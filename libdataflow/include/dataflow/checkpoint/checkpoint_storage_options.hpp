// Options of checkpoint storage, validated when the storage opens. Thread-safety: plain values.
#pragma once

#include "dataflow/core/status.hpp"

namespace dataflow {

struct checkpoint_storage_options {
  /// Complete checkpoints kept; completing one deletes the older ones beyond this number.
  /// More than one lets a restore fall back when the newest is damaged. Savepoints are never
  /// deleted. At least 1. Default: 3.
  int retained = 3;

  [[nodiscard]] status validate() const;
};

}  // namespace dataflow
