#include "dataflow/io/input_files.hpp"

#include <glob.h>

#include <algorithm>
#include <filesystem>

namespace dataflow {

namespace fs = std::filesystem;

expected<std::vector<std::string>> list_input_files(const std::string& path) {
  std::vector<std::string> files;
  std::error_code ec;
  if (path.empty()) return status{errc::io_error, "no input path given"};
  if (path.find_first_of("*?[") == std::string::npos) {
    auto st = fs::status(path, ec);
    if (ec || !fs::exists(st)) return status{errc::io_error, "input '" + path + "' does not exist"};
    if (fs::is_directory(st)) {
      for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::directory_iterator();
           it.increment(ec)) {
        auto name = it->path().filename().string();
        if (name.empty() || name[0] == '.') continue;
        if (it->is_regular_file(ec)) files.push_back(it->path().string());
      }
      if (ec) return status{errc::io_error, "cannot list '" + path + "': " + ec.message()};
      if (files.empty()) return status{errc::io_error, "directory '" + path + "' has no files"};
    } else {
      files.push_back(path);
    }
  } else {
    glob_t g{};
    int rc = ::glob(path.c_str(), 0, nullptr, &g);
    if (rc == 0)
      for (std::size_t i = 0; i < g.gl_pathc; ++i)
        if (fs::is_regular_file(g.gl_pathv[i], ec)) files.push_back(g.gl_pathv[i]);
    ::globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH)
      return status{errc::io_error, "cannot expand '" + path + "'"};
    if (files.empty()) return status{errc::io_error, "no files match '" + path + "'"};
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace dataflow
