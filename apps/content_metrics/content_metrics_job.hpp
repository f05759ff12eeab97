// The reference pipeline on content-delivery events (issue #5), as a function that adds it to a
// job, so that the app, the tests and the benchmark run the same thing:
//   - per content item: requests, bytes and distinct users over 7 days sliding by 1 minute;
//   - per user: distinct urls over 1 hour sliding by 1 minute;
//   - every event enriched with its content item's 7-day aggregate (the window that ends first
//     after it, which includes it), computed once for both the metrics and the enrichment;
//   - late events within the allowed lateness re-fire their windows; events later than that
//     (past_lateness or too_late) also go to the late-data stream, unchanged.
// Thread-safety: build from one thread.
#pragma once

#include <cstdint>
#include <string>

#include "content_event.hpp"
#include "dataflow/api/data_stream.hpp"
#include "dataflow/api/windowed_stream.hpp"

namespace dataflow::apps {

struct content_metrics_options {
  duration_ms content_window = 7 * 86'400'000LL;
  duration_ms content_slide = 60'000;
  duration_ms user_window = 3'600'000;
  duration_ms user_slide = 60'000;
  duration_ms allowed_lateness = 60'000;
};

/// A content item's aggregate: requests, bytes, distinct users.
struct content_stats {
  std::int64_t requests = 0;
  std::int64_t bytes = 0;
  std::int64_t users = 0;
  friend bool operator==(const content_stats&, const content_stats&) = default;
  friend auto operator<=>(const content_stats&, const content_stats&) = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(requests, bytes, users);
  }
};
inline std::ostream& operator<<(std::ostream& os, const content_stats& s) {
  return os << s.requests << " requests, " << s.bytes << " bytes, " << s.users << " users";
}

using content_window = window_result<std::uint32_t, content_stats>;
using user_window = window_result<std::uint64_t, std::int64_t>;  // distinct urls
using enriched_event = enriched<content_event, content_stats>;

struct content_metrics_streams {
  data_stream<content_window> content;
  data_stream<user_window> user_urls;
  data_stream<enriched_event> enriched;
  data_stream<content_event> late;
};

/// Adds the pipeline over `events` (which carry event time and watermarks) to their job.
content_metrics_streams add_content_metrics(const data_stream<content_event>& events,
                                            const content_metrics_options& opts = {});

}  // namespace dataflow::apps
