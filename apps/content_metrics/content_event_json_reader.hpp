// Reads content events from JSON-lines files (as write-history writes them, or any file with
// the fields user_id, content_id, url, bytes, status, device and ts): the JSON-lines source
// reader makes rows, this turns them into content_event. A row without a field it needs, or
// with a url it cannot read, becomes a dead letter like a malformed line.
// Thread-safety: one reader per source instance.
#pragma once

#include <charconv>
#include <string>

#include "content_event.hpp"
#include "dataflow/io/json_lines_source.hpp"

namespace dataflow::apps {

/// Parses ".../c/<content_id>/seg<segment>.ts"; false when the url has another form.
inline bool parse_content_url(std::string_view url, std::uint32_t& content, std::uint32_t& seg) {
  auto c = url.rfind("/c/");
  if (c == std::string_view::npos) return false;
  const char* p = url.data() + c + 3;
  const char* end = url.data() + url.size();
  auto r = std::from_chars(p, end, content);
  if (r.ec != std::errc{} || std::string_view(r.ptr, end).substr(0, 4) != "/seg") return false;
  r = std::from_chars(r.ptr + 4, end, seg);
  return r.ec == std::errc{} && std::string_view(r.ptr, end) == ".ts";
}

class content_event_json_reader final : public source_reader {
 public:
  content_event_json_reader(json_source_options opts, std::string name)
      : name_(name), rows_(std::move(opts), std::move(name)), tmp_(&record_type_of<row>()) {}

  void open(const operator_context& ctx) override { rows_.open(ctx); }

  poll_result poll(operator_output& out, std::size_t max_records, timestamp now) override {
    static const field_id user = field_id::of("user_id"), content = field_id::of("content_id"),
                          url = field_id::of("url"), bytes = field_id::of("bytes"),
                          status = field_id::of("status"), device = field_id::of("device");
    auto res = rows_.poll(tmp_, max_records, now);
    auto& events = out.records<content_event>();
    for (auto& r : tmp_.records<row>()) {
      const value *u = r.value.find(user), *c = r.value.find(content), *l = r.value.find(url),
                  *b = r.value.find(bytes), *s = r.value.find(status), *d = r.value.find(device);
      content_event e;
      std::uint32_t cid = 0;
      if (!u || !u->is_int() || !c || !c->is_int() || !l || !l->is_string() || !b || !b->is_int() ||
          !s || !s->is_int() || !parse_content_url(l->as_string(), cid, e.segment)) {
        out.side<dead_letter>(json_lines_dead_letters.id)
            .push_back({dead_letter{name_, "", 0, to_json(r.value),
                                    "expected int user_id, content_id, bytes, status and a url "
                                    "of the form .../c/<content_id>/seg<n>.ts"},
                        r.ts});
        continue;
      }
      e.user_id = static_cast<std::uint64_t>(u->as_int());
      e.content_id = static_cast<std::uint32_t>(c->as_int());
      e.bytes = b->as_int();
      e.status = static_cast<std::uint16_t>(s->as_int());
      const std::string dv = d && d->is_string() ? d->as_string() : "";
      e.device = dv == "tv"       ? device_kind::tv
                 : dv == "phone"  ? device_kind::phone
                 : dv == "tablet" ? device_kind::tablet
                                  : device_kind::web;
      events.push_back({e, r.ts});
    }
    out.move_sides_from(tmp_);  // the JSON source's dead letters
    if (tmp_.status_change()) out.emit_watermark_status(*tmp_.status_change());
    if (tmp_.watermark()) out.emit_watermark(*tmp_.watermark());
    tmp_.clear();
    return res;
  }

  [[nodiscard]] std::uint64_t position() const noexcept override { return rows_.position(); }
  // Checkpoints: the JSON reader's file, offset and watermarks are all there is.
  [[nodiscard]] status snapshot(std::string& out) const override { return rows_.snapshot(out); }
  [[nodiscard]] status restore(std::string_view bytes) override { return rows_.restore(bytes); }

 private:
  std::string name_;
  json_lines_source_reader rows_;
  operator_output tmp_;
};

}  // namespace dataflow::apps
