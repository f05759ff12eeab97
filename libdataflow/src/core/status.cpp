#include "dataflow/core/status.hpp"

namespace dataflow {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::ok:
      return "ok";
    case errc::invalid_configuration:
      return "invalid_configuration";
    case errc::invalid_graph:
      return "invalid_graph";
    case errc::operator_failed:
      return "operator_failed";
    case errc::not_serializable:
      return "not_serializable";
    case errc::decode_failed:
      return "decode_failed";
    case errc::cancelled:
      return "cancelled";
    case errc::runtime_error:
      return "runtime_error";
    case errc::timeout:
      return "timeout";
    case errc::invalid_input:
      return "invalid_input";
    case errc::io_error:
      return "io_error";
    case errc::not_running:
      return "not_running";
  }
  return "unknown";
}

std::string status::to_string() const {
  if (is_ok()) return "ok";
  std::string s(dataflow::to_string(code_));
  s += ": ";
  s += message_;
  return s;
}

}  // namespace dataflow
