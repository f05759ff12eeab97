#include "demo_job.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace dataflow::apps {
namespace {

struct delivery {
  std::uint64_t user = 0;
  std::uint32_t content = 0;
  std::uint32_t bytes = 0;
  std::uint16_t status = 200;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user, content, bytes, status);
  }
};

struct minute_stats {
  std::uint32_t content = 0;
  timestamp window_end = 0;
  std::int64_t requests = 0;
  std::uint64_t bytes = 0;
  std::uint64_t users = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(content, window_end, requests, bytes, users);
  }
};

std::uint64_t mix(std::uint64_t x) {
  return mix_hash(x + 0x9e3779b97f4a7c15ULL);
}

}  // namespace

int run_demo(const demo_options& opts) {
  local_environment env;
  env.set_parallelism(opts.parallelism);
  env.options().name = "content-delivery demo";
  if (opts.work_stealing) env.options().scheduler = scheduler_policy::work_stealing;
  const timestamp start = 1'700'000'000'000;  // a fixed event-time origin: deterministic output
  const std::uint64_t contents = opts.contents;
  generator_options go;
  go.count = opts.events;
  go.rate = opts.rate;
  go.watermarks = watermark_strategy::bounded_out_of_orderness(5'000);
  auto events = env.from_generator<delivery>(
      [start, contents](std::uint64_t i) {
        auto h = mix(i);
        // Popular items first: the square of a uniform number skews towards 0.
        double u = static_cast<double>(h % 1'000'000) / 1e6;
        auto content = static_cast<std::uint32_t>(u * u * static_cast<double>(contents));
        delivery d{mix(h) % 100'000, content, static_cast<std::uint32_t>(500 + h % 20'000),
                   static_cast<std::uint16_t>(h % 50 == 0 ? 404 : 200)};
        // 10 events per millisecond of event time, up to 3 s out of order.
        timestamp ts = start + static_cast<timestamp>(i / 10) - static_cast<timestamp>(h % 3000);
        return record<delivery>{d, ts};
      },
      go, "deliveries");
  events.uid("deliveries");
  auto ok = events.filter([](const delivery& d) { return d.status == 200; }, "successful");
  // Per content item and minute of event time: requests, bytes and distinct users.
  auto stats = ok.key_by([](const delivery& d) { return d.content; })
                   .window(tumbling_windows(60'000))
                   .aggregate(
                       agg::several(agg::count<delivery>(), agg::sum(&delivery::bytes),
                                    agg::count_distinct(&delivery::user)),
                       [](std::uint32_t content, const time_window& w, const auto& r) {
                         auto [requests, bytes, users] = r;
                         return minute_stats{content, w.end, requests, bytes, users};
                       },
                       "requests per minute");
  stats.uid("requests-per-minute");
  auto out = stats.collect("results");

  if (opts.print_graph) std::printf("%s\n", env.graph().to_text(opts.parallelism).c_str());
  auto r = env.execute();
  if (!r) {
    std::fprintf(stderr, "dataflow demo: %s\n", r.error().to_string().c_str());
    return 1;
  }
  // Busiest content items over the whole run.
  std::map<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>> totals;
  std::uint64_t windows = 0, max_users = 0;
  for (auto& s : out->values()) {
    auto& t = totals[s.content];
    t.first += static_cast<std::uint64_t>(s.requests);
    t.second += s.bytes;
    max_users = std::max(max_users, s.users);
    ++windows;
  }
  std::vector<std::pair<std::uint32_t, std::pair<std::uint64_t, std::uint64_t>>> top(totals.begin(),
                                                                                     totals.end());
  std::sort(top.begin(), top.end(),
            [](auto& a, auto& b) { return a.second.first > b.second.first; });
  std::printf(
      "top content items by successful requests (%llu one-minute windows, at most %llu distinct "
      "users in one):\n",
      static_cast<unsigned long long>(windows), static_cast<unsigned long long>(max_users));
  for (int i = 0; i < opts.top && i < static_cast<int>(top.size()); ++i)
    std::printf("  content %-6u requests %-9llu bytes %llu\n", top[i].first,
                static_cast<unsigned long long>(top[i].second.first),
                static_cast<unsigned long long>(top[i].second.second));
  auto n = r->source_records();
  double secs = r->seconds();
  std::printf("events: %llu, seconds: %.3f, events/s: %.0f\n", static_cast<unsigned long long>(n),
              secs, secs > 0 ? static_cast<double>(n) / secs : 0.0);
  return 0;
}

}  // namespace dataflow::apps
