// Per-key timers in event time and processing time. A timer (key, t) is set at most once;
// timers fire in time order, event-time ones when the watermark reaches t, processing-time ones
// when processing time does. Timers set while firing fire in the same pass if already due.
// Snapshots hold every timer; a restore keeps those of the key groups the instance owns and
// adds them to the timers already set, so a rescaled instance restores one piece per old
// instance.
// Thread-safety: owned by one operator instance.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>

#include <cereal/archives/binary.hpp>
#include <cereal/types/set.hpp>
#include <cereal/types/utility.hpp>

#include "dataflow/core/status.hpp"
#include "dataflow/graph/key_group.hpp"
#include "dataflow/record/batch.hpp"
#include "dataflow/state/detail/cereal_bytes.hpp"
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
    out.clear();
    return append_snapshot(out);
  }
  /// Appends what snapshot() writes to `out`.
  [[nodiscard]] status append_snapshot(std::string& out) const {
    if constexpr (detail::is_cereal_serializable_v<K>) {
      detail::append_cereal(out, event_, processing_);
      return status::ok();
    } else {
      (void)out;
      return {errc::not_serializable, "timers of a key type without cereal serialize()"};
    }
  }
  /// Adds the timers of `bytes` (what snapshot() wrote) whose key lies in the key groups
  /// `owned`, to those already set: at another parallelism an instance restores one snapshot
  /// per old instance whose key groups overlap its own, and must not fire timers of keys it
  /// does not own. A key's group is key_group_of(key, max_parallelism), as in the keyed state.
  [[nodiscard]] status restore(std::string_view bytes, key_group_range owned, int max_parallelism) {
    if constexpr (detail::is_cereal_serializable_v<K>) {
      std::set<std::pair<timestamp, K>> event, processing;
      try {
        detail::read_cereal(bytes, event, processing);
      } catch (const std::exception& e) {
        return {errc::decode_failed, std::string("timers: ") + e.what()};
      }
      auto add = [&](std::set<std::pair<timestamp, K>>& from,
                     std::set<std::pair<timestamp, K>>& to) {
        while (!from.empty()) {
          auto node = from.extract(from.begin());
          if (owned.contains(key_group_of(node.value().second, max_parallelism)))
            to.insert(std::move(node));
        }
      };
      add(event, event_);
      add(processing, processing_);
      return status::ok();
    } else {
      (void)bytes;
      (void)owned;
      (void)max_parallelism;
      return {errc::not_serializable, "timers of a key type without cereal serialize()"};
    }
  }

  /// Adds every timer of `bytes`, whatever its key (one instance owning all key groups).
  [[nodiscard]] status restore(std::string_view bytes) {
    return restore(bytes, key_group_range{0, 0}, 1);  // one key group, which holds every key
  }

 private:
  std::set<std::pair<timestamp, K>>& set(time_domain d) {
    return d == time_domain::event_time ? event_ : processing_;
  }
  std::set<std::pair<timestamp, K>> event_;
  std::set<std::pair<timestamp, K>> processing_;
};

}  // namespace dataflow
