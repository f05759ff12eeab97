// Which files an input path names: one file; every regular file in a directory (not recursive,
// names starting with '.' skipped); or a glob pattern (`*`, `?`, `[...]`, as glob(3) reads it,
// e.g. `logs/2024-05-*.jsonl.gz`). The result is in name order (bytewise on the full path),
// which is the order a source reads them in.
//
//   auto files = list_input_files("history/");   // expected<std::vector<std::string>>
//   if (!files) die(files.error().to_string()); // "io_error: no files match 'history/*.x'"
//
// Thread-safety: reads the file system only.
#pragma once

#include <string>
#include <vector>

#include "dataflow/core/status.hpp"

namespace dataflow {

/// The files `path` names, in name order; errc::io_error when it names none.
expected<std::vector<std::string>> list_input_files(const std::string& path);

}  // namespace dataflow
