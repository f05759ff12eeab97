// The reference pipeline on a small generated dataset against a brute-force computation of the
// same metrics written here: every window result, every enriched event, the late events.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "content_event_generator.hpp"
#include "content_metrics_job.hpp"
#include "dataflow/actors/local_environment.hpp"

using namespace dataflow;
using namespace dataflow::apps;

namespace {

struct brute_force {
  std::vector<record<content_event>> in;
  content_metrics_options o;
  timestamp start(timestamp t, duration_ms slide) const { return window_start(t, 0, slide); }

  content_stats content(std::uint32_t c, timestamp end) const {
    content_stats s;
    std::set<std::uint64_t> users;
    for (auto& r : in)
      if (r.value.content_id == c && r.ts >= end - o.content_window && r.ts < end) {
        ++s.requests;
        s.bytes += r.value.bytes;
        users.insert(r.value.user_id);
      }
    s.users = static_cast<std::int64_t>(users.size());
    return s;
  }
};

}  // namespace

TEST_CASE("content metrics: every result equals a brute-force computation") {
  // Small windows so that a short stream fires many of them: 10 minutes sliding by 1 minute
  // per content item, 2 minutes by 1 minute per user; events in order up to 5 s, none late.
  content_event_options g;
  g.users = 40;
  g.contents = 12;
  g.segments = 5;
  g.rate = 20;  // 20 events per second of event time: 6,000 events over 5 minutes
  g.disorder_share = 0.2;
  g.max_disorder = 5'000;
  g.straggler_share = 0;
  content_metrics_options o;
  o.content_window = 600'000;
  o.user_window = 120'000;
  o.allowed_lateness = 0;
  content_event_generator gen(g);
  brute_force ref;
  ref.o = o;
  const std::uint64_t n = 6'000;
  for (std::uint64_t i = 0; i < n; ++i) ref.in.push_back(gen(i));

  for (int p : {1, 2}) {
    CAPTURE(p);
    local_environment env;
    env.options().threads = 2;
    env.set_parallelism(p);
    generator_options go;
    go.count = n;
    go.watermarks = watermark_strategy::bounded_out_of_orderness(5'000);
    auto events = env.from_generator<content_event>(gen, go, "events");
    auto s = add_content_metrics(events, o);
    auto enriched = s.enriched.collect("enriched");
    auto content = s.content.collect("content");
    auto users = s.user_urls.collect("users");
    auto late = s.late.collect("late");
    auto r = env.execute();
    REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));

    // Every event once, on time, with its content item's window that ends first after it.
    auto got = enriched->records();
    REQUIRE(got.size() == n);
    std::map<std::pair<std::uint64_t, timestamp>, int> seen;
    for (auto& e : got) {
      CHECK(e.value.status == enrich_status::on_time);
      const timestamp end = e.value.window.end;
      REQUIRE(e.value.aggregate.has_value());
      CHECK(*e.value.aggregate == ref.content(e.value.element.content_id, end));
      CHECK(e.ts == end - 1);
    }
    // Every content window that holds an event, with its stats.
    std::set<std::pair<std::uint32_t, timestamp>> expected_windows;
    for (auto& in : ref.in)
      for (timestamp e = ref.start(in.ts, o.content_slide) + o.content_slide;
           e <= ref.start(in.ts, o.content_slide) + o.content_window; e += o.content_slide)
        expected_windows.insert({in.value.content_id, e});
    auto windows = content->values();
    CHECK(windows.size() == expected_windows.size());
    for (auto& w : windows) {
      CHECK(expected_windows.count({w.key, w.window.end}) == 1);
      CHECK(w.value == ref.content(w.key, w.window.end));
    }
    // Distinct urls per user.
    std::size_t user_windows = 0;
    for (auto& w : users->values()) {
      std::set<std::uint64_t> urls;
      for (auto& in : ref.in)
        if (in.value.user_id == w.key && in.ts >= w.window.start && in.ts < w.window.end)
          urls.insert(in.value.url_id());
      CHECK(w.value == static_cast<std::int64_t>(urls.size()));
      ++user_windows;
    }
    CHECK(user_windows > 200);  // 40 users, each with events in every minute
    CHECK(late->values().empty());
  }
}

TEST_CASE("content metrics: stragglers re-fire, go late, and still come out once") {
  content_event_options g;
  g.users = 30;
  g.contents = 5;
  g.rate = 10;
  g.disorder_share = 0;
  g.straggler_share = 0.02;
  g.straggler_delay = 150'000;  // later than watermark delay + lateness: past their first window
  content_metrics_options o;
  o.content_window = 300'000;
  o.user_window = 120'000;
  o.allowed_lateness = 30'000;
  content_event_generator gen(g);
  const std::uint64_t n = 5'000;
  std::uint64_t stragglers = 0;
  for (std::uint64_t i = 0; i < n; ++i)
    if (gen(i).ts < gen.arrival(i)) ++stragglers;
  REQUIRE(stragglers > 50);

  local_environment env;
  env.options().threads = 2;
  env.options().channels.batch_size = 16;
  generator_options go;
  go.count = n;
  go.watermarks = watermark_strategy::bounded_out_of_orderness(1'000);
  auto s = add_content_metrics(env.from_generator<content_event>(gen, go, "events"), o);
  auto enriched = s.enriched.collect("enriched");
  auto late = s.late.collect("late");
  auto r = env.execute();
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  auto got = enriched->values();
  CHECK(got.size() == n);  // exactly one output per event, late or not
  std::uint64_t past = 0;
  for (auto& e : got)
    if (e.status == enrich_status::past_lateness || e.status == enrich_status::too_late) ++past;
  CHECK(past == stragglers);  // every straggler is past the lateness of its first window
  CHECK(late->values().size() == stragglers);
}
