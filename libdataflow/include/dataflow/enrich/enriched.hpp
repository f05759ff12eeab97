// What enrichment emits by default: the input element, the aggregate of its key's window, and
// whether the element came on time. Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>

#include "dataflow/window/time_window.hpp"

namespace dataflow {

/// How an element met its window.
enum class enrich_status : std::uint8_t {
  on_time,        // the window had not fired: the element got its first (complete) result
  late,           // the window had fired but was within the allowed lateness: it re-fired with the
                  // element in it, and the element got that updated result
  past_lateness,  // the window was cleaned up (the element came later than the allowed
                  // lateness); the element got its first window that was still kept
  too_late,       // every window of the element was cleaned up: no aggregate
};

inline const char* to_string(enrich_status s) noexcept {
  switch (s) {
    case enrich_status::on_time:
      return "on_time";
    case enrich_status::late:
      return "late";
    case enrich_status::past_lateness:
      return "past_lateness";
    case enrich_status::too_late:
      break;
  }
  return "too_late";
}

template <class T, class R>
struct enriched {
  T element{};
  /// The window the element was matched with: the first one that ends after it, or for
  /// past_lateness the first of its windows still kept.
  time_window window;
  /// Its aggregate, which includes the element; empty when too late.
  std::optional<R> aggregate;
  enrich_status status = enrich_status::on_time;

  friend bool operator==(const enriched&, const enriched&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(element, window, aggregate, status);
  }
};

template <class T, class R>
std::ostream& operator<<(std::ostream& os, const enriched<T, R>& e) {
  os << e.element << " [" << e.window.start << ", " << e.window.end << ") ";
  if (e.aggregate)
    os << *e.aggregate;
  else
    os << "-";
  return os << ' ' << to_string(e.status);
}

}  // namespace dataflow
