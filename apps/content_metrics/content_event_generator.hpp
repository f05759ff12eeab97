// Realistic content-delivery events for the reference use case, as a pure function of an
// index (so any instance can make any event, and a replay makes the same ones):
//   - content popularity is Zipf-distributed over `contents` items; users are uniform;
//   - events arrive `rate` per second of event time from `start`;
//   - a share `disorder_share` of events is delayed: its event time lies up to `max_disorder`
//     before its arrival, so the stream is out of order by at most that much;
//   - a smaller share `straggler_share` arrives `straggler_delay` late (by default beyond the
//     pipeline's watermark delay plus allowed lateness: these are the late-data output's).
// Thread-safety: immutable after construction; call from any thread.
#pragma once

#include <cstdint>

#include "content_event.hpp"
#include "dataflow/core/zipf_sampler.hpp"
#include "dataflow/graph/key_group.hpp"
#include "dataflow/record/record.hpp"

namespace dataflow::apps {

struct content_event_options {
  std::uint64_t users = 1'000'000;
  std::uint32_t contents = 100'000;
  double zipf_exponent = 1.0;
  std::uint32_t segments = 600;         // per content item (10-second segments of 100 minutes)
  double rate = 10'000;                 // events per second of event time
  timestamp start = 1'795'478'400'000;  // 2026-11-24T00:00:00Z
  double disorder_share = 0.1;
  duration_ms max_disorder = 5'000;
  double straggler_share = 0.001;
  duration_ms straggler_delay = 10 * 60'000;
  std::uint64_t seed = 1;
};

class content_event_generator {
 public:
  explicit content_event_generator(content_event_options o)
      : o_(o), popularity_(o.contents, o.zipf_exponent), ms_per_event_(1000.0 / o.rate) {}

  /// When event `index` arrives (epoch ms): the order of the stream.
  [[nodiscard]] timestamp arrival(std::uint64_t index) const noexcept {
    return o_.start + static_cast<timestamp>(static_cast<double>(index) * ms_per_event_);
  }

  record<content_event> operator()(std::uint64_t index) const noexcept {
    splitmix64 rng(mix_hash(o_.seed ^ mix_hash(index + 0x2545f4914f6cdd1dULL)));
    content_event e;
    e.content_id = static_cast<std::uint32_t>(popularity_(rng));
    e.user_id = 1 + rng() % o_.users;
    e.segment = static_cast<std::uint32_t>(rng() % o_.segments);
    e.bytes = 200'000 + static_cast<std::int64_t>(rng() % 3'800'000);
    const auto s = rng() % 1000;
    e.status = s < 960 ? 200 : s < 990 ? 206 : s < 998 ? 404 : 500;
    e.device = static_cast<device_kind>(rng() % 4);
    timestamp ts = arrival(index);
    const double u = rng.next_double();
    if (u < o_.straggler_share)
      ts -= o_.straggler_delay;
    else if (u < o_.straggler_share + o_.disorder_share && o_.max_disorder > 0)
      ts -= static_cast<timestamp>(rng() % static_cast<std::uint64_t>(o_.max_disorder + 1));
    return {e, ts};
  }

  [[nodiscard]] const content_event_options& options() const noexcept { return o_; }

 private:
  content_event_options o_;
  zipf_sampler popularity_;
  double ms_per_event_;
};

}  // namespace dataflow::apps
