// One content-delivery event of the reference use case: who fetched which segment of which
// content item, how many bytes, with what status, on what device, when. The url is not stored
// as text: it is (content_id, segment), rendered as text only when written out, so that the hot
// path allocates nothing per event and distinct urls are counted exactly.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "dataflow/json/json_escape.hpp"

namespace dataflow::apps {

enum class device_kind : std::uint8_t { tv, phone, web, tablet };

inline const char* to_string(device_kind d) noexcept {
  static constexpr const char* names[] = {"tv", "phone", "web", "tablet"};
  return names[static_cast<int>(d) & 3];
}

struct content_event {
  std::uint64_t user_id = 0;
  std::uint32_t content_id = 0;
  std::uint32_t segment = 0;  // the url is /c/<content_id>/seg<segment>.ts
  std::int64_t bytes = 0;
  std::uint16_t status = 200;
  device_kind device = device_kind::web;

  /// The url as one number, unique per (content_id, segment).
  [[nodiscard]] std::uint64_t url_id() const noexcept {
    return (static_cast<std::uint64_t>(content_id) << 32) | segment;
  }
  void append_url(std::string& out) const {
    out += "https://cdn.example.com/c/";
    out += std::to_string(content_id);
    out += "/seg";
    out += std::to_string(segment);
    out += ".ts";
  }

  friend bool operator==(const content_event&, const content_event&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user_id, content_id, segment, bytes, status, device);
  }
};

/// Appends the event as one JSON object with its timestamp `ts` (epoch ms), without newline:
/// {"user_id":..,"content_id":..,"url":"..","bytes":..,"status":..,"device":"..","ts":..}
inline void append_json(std::string& out, const content_event& e, std::int64_t ts) {
  out += "{\"user_id\":";
  append_json_int(out, static_cast<std::int64_t>(e.user_id));
  out += ",\"content_id\":";
  append_json_int(out, e.content_id);
  out += ",\"url\":\"";
  e.append_url(out);
  out += "\",\"bytes\":";
  append_json_int(out, e.bytes);
  out += ",\"status\":";
  append_json_int(out, e.status);
  out += ",\"device\":\"";
  out += to_string(e.device);
  out += "\",\"ts\":";
  append_json_int(out, ts);
  out += '}';
}

inline std::ostream& operator<<(std::ostream& os, const content_event& e) {
  return os << "user " << e.user_id << " content " << e.content_id << " seg " << e.segment;
}

}  // namespace dataflow::apps
