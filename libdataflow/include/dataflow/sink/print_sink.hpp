// A sink that prints each record as "name[subtask]> value @ts" to stdout, a batch per write.
// `T` needs operator<< or a formatter function.
#pragma once

#include <cstdio>
#include <functional>
#include <sstream>
#include <string>

#include "dataflow/sink/sink_function.hpp"

namespace dataflow {

template <class T>
class print_sink_function final : public sink_function<T> {
 public:
  using format_fn = std::function<std::string(const T&)>;
  explicit print_sink_function(format_fn fmt) : fmt_(std::move(fmt)) {}
  void open(const operator_info& info) override {
    prefix_ = info.name + "[" + std::to_string(info.subtask) + "]> ";
  }
  void write(const std::vector<record<T>>& rs) override {
    std::string buf;
    for (auto& r : rs) {
      buf += prefix_;
      buf += fmt_(r.value);
      buf += " @";
      buf += std::to_string(r.ts);
      buf += '\n';
    }
    std::fwrite(buf.data(), 1, buf.size(), stdout);
    std::fflush(stdout);
  }

 private:
  format_fn fmt_;
  std::string prefix_;
};

/// The default formatter: operator<<.
template <class T>
std::string format_with_stream(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace dataflow
