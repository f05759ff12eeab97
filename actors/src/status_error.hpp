// Private to actors/src: a libdataflow `status` as a caf::error and back, so that errors cross
// the actor boundary (and nodes) as values with their code and message. CAF's own errors (the
// receiver is gone, say) come back as errc::runtime_error, or as `gone` when the receiver quit.
#pragma once

#include <string>

#include <caf/all.hpp>

#include "dataflow/core/status.hpp"

namespace dataflow::actors {

/// The error category of libdataflow's errc in a caf::error.
inline constexpr caf::atom_value status_category = caf::atom("dataflow");

inline caf::error to_caf_error(const status& s) {
  return caf::error(static_cast<std::uint8_t>(s.code()), status_category,
                    caf::make_message(s.message()));
}

/// The status `e` carries; `gone` when the receiver had already quit (or quit before it
/// answered), and errc::runtime_error with CAF's rendering for any other CAF error.
inline status to_status(const caf::error& e, const status& gone) {
  if (e.category() == status_category) {
    std::string message;
    if (e.context().match_elements<std::string>()) message = e.context().get_as<std::string>(0);
    return status{static_cast<errc>(e.code()), std::move(message)};
  }
  if (e == caf::sec::request_receiver_down) return gone;
  return status{errc::runtime_error, caf::to_string(e)};
}

}  // namespace dataflow::actors
