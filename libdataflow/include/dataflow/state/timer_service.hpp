// Per-key timers in event time and processing time. A timer (key, t) is set at most once;
// timers fire in time order, event-time ones when the watermark reaches t, processing-time ones
// when processing time does. Timers set while firing fire in the same pass if already due.
// Thread-safety: owned by one operator instance.
#pragma once

#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include <cereal/archives/binary.hpp>
#include <cereal/types/set.hpp>
#include <cereal/types/utility.hpp>

#include "dataflow/core/status.hpp"
#include "dataflow/record/batch.hpp"
#include "dataflow/time/timestamp.hpp"

namespace dataflow {

enum class time_domain : std::uint8_t { event_time, processing_time };

template <class K>
class timer_service {
 public:
  void register_timer(time_domain d, const K& key, timestamp t) { set(d).emplace(t, key); }
  void delete_timer(time_domain d, const K& key, timestamp t) { set(d).erase({t, key}); }

  /// Fires fn(t, key) for every timer of domain `d` with t <= `now`, in time order.
  template <class F>
  void advance(time_domain d, timestamp now, F&& fn) {
    auto& s = set(d);
    while (!s.empty() && s.begin()->first <= now) {
      auto node = s.extract(s.begin());
      fn(node.value().first, node.value().second);
    }
  }

  [[nodiscard]] std::optional<timestamp> next(time_domain d) const {
    auto& s = d == time_domain::event_time ? event_ : processing_;
    if (s.empty()) return {};
    return s.begin()->first;
  }
  [[nodiscard]] std::size_t size() const noexcept { return event_.size() + processing_.size(); }

  [[nodiscard]] status snapshot(std::string& out) const {
    if constexpr (detail::is_cereal_serializable_v<K>) {
      std::ostringstream os(std::ios::binary);
      {
        cereal::BinaryOutputArchive ar(os);
        ar(event_, processing_);
      }
      out = std::move(os).str();
      return status::ok();
    } else {
      (void)out;
      return {errc::not_serializable, "timers of a key type without cereal serialize()"};
    }
  }
  [[nodiscard]] status restore(std::string_view bytes) {
    if constexpr (detail::is_cereal_serializable_v<K>) {
      try {
        std::istringstream is{std::string(bytes), std::ios::binary};
        cereal::BinaryInputArchive ar(is);
        ar(event_, processing_);
        return status::ok();
      } catch (const std::exception& e) {
        return {errc::decode_failed, std::string("timers: ") + e.what()};
      }
    } else {
      (void)bytes;
      return {errc::not_serializable, "timers of a key type without cereal serialize()"};
    }
  }

 private:
  std::set<std::pair<timestamp, K>>& set(time_domain d) {
    return d == time_domain::event_time ? event_ : processing_;
  }
  std::set<std::pair<timestamp, K>> event_;
  std::set<std::pair<timestamp, K>> processing_;
};

}  // namespace dataflow
