#include "content_metrics_job.hpp"

#include "dataflow/aggregate/builtin_aggregates.hpp"

namespace dataflow::apps {
namespace {

struct content_of {
  std::uint32_t operator()(const content_event& e) const noexcept { return e.content_id; }
};
struct user_of {
  std::uint64_t operator()(const content_event& e) const noexcept { return e.user_id; }
};
struct url_of {
  std::uint64_t operator()(const content_event& e) const noexcept { return e.url_id(); }
};
struct bytes_of {
  std::int64_t operator()(const content_event& e) const noexcept { return e.bytes; }
};
struct users_of {
  std::uint64_t operator()(const content_event& e) const noexcept { return e.user_id; }
};

/// (requests, bytes, distinct users) as content_stats.
struct to_stats {
  template <class Tuple>
  enriched_event operator()(const content_event& e, const Tuple* r, const time_window& w,
                            enrich_status s) const {
    enriched_event out{e, w, std::nullopt, s};
    if (r) {
      auto [requests, bytes, users] = *r;
      out.aggregate =
          content_stats{static_cast<std::int64_t>(requests), static_cast<std::int64_t>(bytes),
                        static_cast<std::int64_t>(users)};
    }
    return out;
  }
};

}  // namespace

content_metrics_streams add_content_metrics(const data_stream<content_event>& events,
                                            const content_metrics_options& opts) {
  auto stats = agg::several(agg::count<content_event>(), agg::sum<content_event>(bytes_of{}),
                            agg::count_distinct<content_event>(users_of{}));
  using R = decltype(stats)::result_type;
  const std::string results_tag = "content-7d";
  auto enriched = events.key_by(content_of{})
                      .window(sliding_windows(opts.content_window, opts.content_slide))
                      .allowed_lateness(opts.allowed_lateness)
                      .side_output_results(results_tag)
                      .enrich(stats, to_stats{}, "enrich with content 7d");
  enriched.uid("enrich-content-7d");
  auto content = enriched.side_output(output_tag<window_result<std::uint32_t, R>>{results_tag})
                     .map(
                         [](const window_result<std::uint32_t, R>& r) {
                           auto [requests, bytes, users] = r.value;
                           return content_window{r.key, r.window,
                                                 content_stats{static_cast<std::int64_t>(requests),
                                                               static_cast<std::int64_t>(bytes),
                                                               static_cast<std::int64_t>(users)}};
                         },
                         "content 7d");
  auto user_urls = events.key_by(user_of{})
                       .window(sliding_windows(opts.user_window, opts.user_slide))
                       .allowed_lateness(opts.allowed_lateness)
                       .aggregate(
                           agg::count_distinct<content_event>(url_of{}),
                           [](std::uint64_t user, const time_window& w, std::uint64_t n) {
                             return user_window{user, w, static_cast<std::int64_t>(n)};
                           },
                           "user urls 1h");
  user_urls.uid("user-urls-1h");
  auto late = enriched.flat_map<content_event>(
      [](const enriched_event& e, auto& out) {
        if (e.status == enrich_status::past_lateness || e.status == enrich_status::too_late)
          out.collect(e.element);
      },
      "late events");
  return {content, user_urls, enriched, late};
}

}  // namespace dataflow::apps
