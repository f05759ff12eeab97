// content_metrics: the reference use case end to end (issue #5).
//   content_metrics demo                      a short history replay, then live events, a summary
//   content_metrics write-history --out DIR   a week (or --days D) of events as JSON-lines gzip
//   content_metrics run [--history DIR]       the pipeline over history then live (or live only)
#include <sys/resource.h>
#include <zlib.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "content_event_generator.hpp"
#include "content_event_json_reader.hpp"
#include "content_metrics_job.hpp"
#include "dataflow/actors/local_environment.hpp"
#include "dataflow/api/checkpoint_summary.hpp"
#include "dataflow/core/parse_timestamp.hpp"
#include "dataflow/source/hybrid_source.hpp"
#include "dataflow/state/state_backend_config.hpp"
#include "window_release_clock.hpp"

using namespace dataflow;
using namespace dataflow::apps;

namespace {

struct run_options {
  content_event_options events;
  std::string history;           // a directory of JSON-lines files; empty: live only
  std::uint64_t live = 100'000;  // live events
  double live_rate = 10'000;     // live events per second of wall-clock time; 0: unlimited
  int parallelism = 2;
  std::string out;  // a directory for the outputs; empty: none
  int top = 5;
  bool drain = true;               // fire every open window at the end (a week of windows per key)
  state_backend_config state;      // memory or rocksdb
  std::string checkpoint_dir;      // empty: no checkpoints
  std::int64_t checkpoint_ms = 0;  // checkpoint interval
  bool snapshot_on_task = false;   // job_options::checkpoint_options::snapshot_on_task
  std::string from;                // restore from this checkpoint (or the latest in a directory)
  bool latency = false;            // measure window completion -> enriched output (live only)
  bool work_stealing = false;      // job_options::scheduler
  double buffer_timeout_ms = 1;    // channel_options::buffer_timeout
};

/// Events with index < history_events(days) are the history; the live stream continues after.
std::uint64_t history_events(const content_event_options& o, double days) {
  return static_cast<std::uint64_t>(days * 86'400.0 * o.rate);
}

int write_history(content_event_options o, double days, const std::string& dir) {
  std::filesystem::create_directories(dir);
  content_event_generator gen(o);
  // The history is every event before the switch S = arrival(n): events 0..n-1, and the later
  // ones whose time lies before S (delayed ones), so that with the live stream's events at or
  // after S (the hybrid source drops the others) each event is read exactly once.
  const std::uint64_t n = history_events(o, days);
  const timestamp switch_at = gen.arrival(n);
  const duration_ms max_delay = std::max(o.max_disorder, o.straggler_delay);
  std::uint64_t last = n;
  while (gen.arrival(last) - max_delay < switch_at) ++last;
  const std::uint64_t per_file = static_cast<std::uint64_t>(86'400.0 * o.rate);
  std::string buf;
  gzFile f = nullptr;
  int files = 0;
  std::uint64_t written = 0;
  for (std::uint64_t i = 0; i < last; ++i) {
    if (i >= n && gen(i).ts >= switch_at) continue;
    if (i < n && i % per_file == 0) {
      if (f) gzclose(f);
      char name[64];
      std::snprintf(name, sizeof name, "/day-%03d.jsonl.gz", files++);
      f = gzopen((dir + name).c_str(), "wb1");
      if (!f)
        return std::fprintf(stderr, "content_metrics: cannot write %s%s\n", dir.c_str(), name), 1;
    }
    auto r = gen(i);
    append_json(buf, r.value, r.ts);
    buf += '\n';
    ++written;
    if (buf.size() > (1 << 20) || (i + 1 < n && (i + 1) % per_file == 0)) {
      gzwrite(f, buf.data(), static_cast<unsigned>(buf.size()));
      buf.clear();
    }
  }
  if (f) {
    if (!buf.empty()) gzwrite(f, buf.data(), static_cast<unsigned>(buf.size()));
    gzclose(f);
  }
  std::string end;
  append_iso8601(end, switch_at);
  std::printf("wrote %llu events in %d files to %s; the live stream starts at %s (%lld)\n",
              static_cast<unsigned long long>(written), files, dir.c_str(), end.c_str(),
              static_cast<long long>(switch_at));
  return 0;
}

template <class T, class F>
void write_rows(const data_stream<T>& s, const std::string& path, F to_row) {
  json_sink_options o;
  o.path = path;
  s.map(to_row, "to row").sink_to_json_lines(o, "write " + path).set_parallelism(1);
}

int run(const run_options& opts, double history_days) {
  local_environment env;
  env.set_parallelism(opts.parallelism);
  env.options().name = "content_metrics";
  env.options().drain_on_end = opts.drain;
  if (opts.work_stealing) env.options().scheduler = scheduler_policy::work_stealing;
  env.options().channels.buffer_timeout =
      std::chrono::microseconds(static_cast<std::int64_t>(opts.buffer_timeout_ms * 1000));
  auto backend = make_state_backend(opts.state);
  if (!backend) {
    std::fprintf(stderr, "content_metrics: %s\n", backend.error().to_string().c_str());
    return 2;
  }
  env.options().backend = *backend;
  if (!opts.checkpoint_dir.empty()) {
    env.options().checkpoints.directory = opts.checkpoint_dir;
    env.options().checkpoints.interval = std::chrono::milliseconds(opts.checkpoint_ms);
    env.options().checkpoints.snapshot_on_task = opts.snapshot_on_task;
  }
  if (!opts.from.empty()) env.options().restore_from = opts.from;
  content_event_generator gen(opts.events);
  const std::uint64_t base = opts.history.empty() ? 0 : history_events(opts.events, history_days);
  const timestamp switch_at = gen.arrival(base);
  generator_options live;
  live.count = opts.live;
  live.rate = opts.live_rate;
  live.watermarks = watermark_strategy::bounded_out_of_orderness(opts.events.max_disorder);
  // With --latency, the live source notes when each 1-minute window becomes complete.
  std::shared_ptr<window_release_clock> released;
  const content_metrics_options metrics;
  if (opts.latency) {
    if (!opts.history.empty() || opts.live_rate <= 0 || !opts.from.empty()) {
      std::fprintf(stderr,
                   "content_metrics: --latency needs live events only (no --history, no "
                   "--from) at a limited --live-rate\n");
      return 2;
    }
    const duration_ms slide = metrics.content_slide;
    const timestamp first_end =
        window_start(switch_at - opts.events.max_disorder, 0, slide) + slide;
    const auto windows =
        static_cast<std::size_t>((gen.arrival(base + opts.live) - first_end) / slide + 2);
    released = std::make_shared<window_release_clock>(first_end, slide, opts.events.max_disorder,
                                                      windows, opts.parallelism);
  }
  const auto instances = static_cast<std::uint64_t>(opts.parallelism);
  // Each instance copies the function, and with it the steady-clock time of its first call.
  auto live_fn = [gen, base, released, instances, ns_per_event = 1e9 / opts.live_rate,
                  first_ns = std::int64_t{-1}](std::uint64_t i) mutable {
    auto r = gen(base + i);
    // Instance k of the generator makes the events k, k + instances, ...
    if (released) {
      // The event's time is when the rate makes it due, not when a poll generated it: what
      // waits in the source for the next poll (up to the buffer timeout) counts as latency.
      // The generator's rate counts from its first poll, which is this first call (on a
      // millisecond clock, so the due time is right to within 1 ms).
      if (first_ns < 0) first_ns = std::chrono::steady_clock::now().time_since_epoch().count();
      released->on_generated(static_cast<int>(i % instances), r.ts, [&] {
        const auto own = i - i % instances;  // this instance's events before it, times instances
        return first_ns + static_cast<std::int64_t>(static_cast<double>(own) * ns_per_event);
      });
    }
    return r;
  };
  auto hybrid = std::make_shared<hybrid_source_progress>();
  auto history_progress = std::make_shared<json_source_progress>();
  data_stream<content_event> events = [&] {
    if (opts.history.empty())
      return env.from_generator<content_event>(live_fn, live, "live events");
    json_source_options h;
    h.path = opts.history;
    h.parse.timestamp_field = "ts";
    // Wrong types become dead letters where the file and line are still known.
    for (const char* f : {"user_id", "content_id", "bytes", "status"})
      h.parse.field_types.push_back({f, json_type::integer, false});
    h.parse.field_types.push_back({"url", json_type::string, false});
    h.watermarks = watermark_strategy::bounded_out_of_orderness(opts.events.max_disorder);
    h.progress = history_progress;
    hybrid_source_options o;
    o.history = [h] { return std::make_unique<content_event_json_reader>(h, "history"); };
    o.live = [live_fn, live] {
      return std::make_unique<generator_source_reader<content_event>>(live_fn, live);
    };
    o.switch_at = switch_at;
    o.progress = hybrid;
    return env.from_hybrid<content_event>(o, "history then live");
  }();
  events.uid("events");
  auto s = add_content_metrics(events, metrics);
  // Counting sinks: the summary needs counts, not every record kept in memory.
  struct counts {
    std::atomic<std::uint64_t> enriched{0}, on_time{0}, late{0}, past{0}, too_late{0},
        content_windows{0}, user_windows{0}, late_events{0};
    std::atomic<std::int64_t> first_output_ns{0};  // steady clock, when the first result came
  };
  auto c = std::make_shared<counts>();
  // Nanoseconds from each on-time event's window completion to its output (with --latency).
  struct latencies {
    std::mutex m;
    std::vector<std::int64_t> ns;
    struct window {
      std::int64_t first = INT64_MAX, last = 0;
      std::uint64_t events = 0;
    };
    std::map<timestamp, window> by_window;  // first and last output after each completion
    std::uint64_t unreleased = 0;  // on-time events of windows no record released (end of input)
  };
  auto lat = std::make_shared<latencies>();
  s.enriched.for_each_batch(
      [c, released, lat](const std::vector<record<enriched_event>>& rs) {
        const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
        if (c->enriched.load() == 0 && !rs.empty()) c->first_output_ns = now;
        if (released) {
          std::lock_guard<std::mutex> g(lat->m);
          // A batch holds a few windows' events in runs: look each window up once per run.
          timestamp end = min_timestamp;
          std::optional<std::int64_t> t;
          latencies::window* w = nullptr;
          for (auto& r : rs) {
            if (r.value.status != enrich_status::on_time) continue;
            if (r.value.window.end != end) {
              end = r.value.window.end;
              t = released->released_at(end);
              w = t ? &lat->by_window[end] : nullptr;
            }
            if (!t) {
              ++lat->unreleased;
              continue;
            }
            lat->ns.push_back(now - *t);
            w->first = std::min(w->first, now - *t);
            w->last = std::max(w->last, now - *t);
            ++w->events;
          }
        }
        c->enriched += rs.size();
        for (auto& r : rs) {
          auto st = r.value.status;
          ++(st == enrich_status::on_time         ? c->on_time
             : st == enrich_status::late          ? c->late
             : st == enrich_status::past_lateness ? c->past
                                                  : c->too_late);
        }
      },
      "count enriched");
  auto last = std::make_shared<std::map<std::uint32_t, content_window>>();
  auto last_mutex = std::make_shared<std::mutex>();
  s.content.for_each_batch(
      [c, last, last_mutex](const std::vector<record<content_window>>& rs) {
        c->content_windows += rs.size();
        std::lock_guard<std::mutex> g(*last_mutex);
        for (auto& r : rs) {
          auto& l = (*last)[r.value.key];
          if (r.value.window.end >= l.window.end) l = r.value;
        }
      },
      "latest per content");
  s.user_urls.for_each_batch(
      [c](const std::vector<record<user_window>>& rs) { c->user_windows += rs.size(); },
      "count user windows");
  if (!opts.out.empty()) {
    std::filesystem::create_directories(opts.out);
    write_rows(s.late, opts.out + "/late.jsonl", [](const content_event& e) {
      std::string url;
      e.append_url(url);
      return row{{"user_id", static_cast<std::int64_t>(e.user_id)},
                 {"content_id", static_cast<std::int64_t>(e.content_id)},
                 {"url", url},
                 {"bytes", e.bytes}};
    });
    write_rows(s.content, opts.out + "/content-7d.jsonl", [](const content_window& w) {
      return row{{"content_id", static_cast<std::int64_t>(w.key)},
                 {"window_start", w.window.start},
                 {"window_end", w.window.end},
                 {"requests", w.value.requests},
                 {"bytes", w.value.bytes},
                 {"users", w.value.users}};
    });
  }
  s.late.for_each_batch(
      [c](const std::vector<record<content_event>>& rs) { c->late_events += rs.size(); },
      "count late");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = env.execute();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!r) {
    std::fprintf(stderr, "content_metrics: %s\n", r.error().to_string().c_str());
    return 1;
  }
  std::vector<content_window> top;
  for (auto& [k, w] : *last) top.push_back(w);
  std::sort(top.begin(), top.end(), [](auto& a, auto& b) {
    return a.value.requests != b.value.requests ? a.value.requests > b.value.requests
                                                : a.key < b.key;
  });
  std::printf("top content items, last 7-day window:\n");
  for (int i = 0; i < opts.top && i < static_cast<int>(top.size()); ++i)
    std::printf("  content %u: %lld requests, %lld bytes, %lld users\n", top[i].key,
                static_cast<long long>(top[i].value.requests),
                static_cast<long long>(top[i].value.bytes),
                static_cast<long long>(top[i].value.users));
  const auto history_records = history_progress->records.load();
  std::printf(
      "history: %llu events, live: %llu events (%llu before the switch, read from history)\n"
      "enriched: %llu (on time %llu, late %llu, past lateness %llu, too late %llu)\n"
      "content windows: %llu, user windows: %llu, late events: %llu\n"
      "events: %llu, seconds: %.2f, events/s: %.0f\n",
      static_cast<unsigned long long>(history_records), static_cast<unsigned long long>(opts.live),
      static_cast<unsigned long long>(hybrid->live_dropped.load()),
      static_cast<unsigned long long>(c->enriched.load()),
      static_cast<unsigned long long>(c->on_time.load()),
      static_cast<unsigned long long>(c->late.load()),
      static_cast<unsigned long long>(c->past.load()),
      static_cast<unsigned long long>(c->too_late.load()),
      static_cast<unsigned long long>(c->content_windows.load()),
      static_cast<unsigned long long>(c->user_windows.load()),
      static_cast<unsigned long long>(c->late_events.load()),
      static_cast<unsigned long long>(c->enriched.load()), secs,
      static_cast<double>(c->enriched.load()) / secs);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  const auto events_in = history_records + opts.live;
  std::printf("cpu: %.2f s, %.2f us per event; peak RSS: %.0f MB\n", cpu,
              events_in ? cpu * 1e6 / static_cast<double>(events_in) : 0.0,
              static_cast<double>(ru.ru_maxrss) / 1024.0);
  if (released) {
    auto& v = lat->ns;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
      return v.empty() ? 0.0
                       : static_cast<double>(v[static_cast<std::size_t>(q * (v.size() - 1))]) / 1e6;
    };
    std::printf(
        "latency, window complete -> enriched output (%zu on-time events): p50 %.2f ms, "
        "p99 %.2f ms, max %.2f ms; %llu more in windows no record released\n",
        v.size(), at(0.5), at(0.99), at(1.0), static_cast<unsigned long long>(lat->unreleased));
    for (auto& [end, w] : lat->by_window) {
      std::string t;
      append_iso8601(t, end);
      std::printf("  window ending %s: %llu events, first output after %.2f ms, last %.2f ms\n",
                  t.c_str(), static_cast<unsigned long long>(w.events),
                  static_cast<double>(w.first) / 1e6, static_cast<double>(w.last) / 1e6);
    }
  }
  if (!opts.from.empty()) {
    if (c->first_output_ns.load() == 0)  // e.g. --live no larger than the restored position
      std::printf("restored from %s: no enriched event\n", r->restored_from.c_str());
    else
      std::printf("restored from %s: first enriched event %.3f s after the start\n",
                  r->restored_from.c_str(),
                  std::chrono::duration<double>(
                      std::chrono::steady_clock::time_point(
                          std::chrono::steady_clock::duration(c->first_output_ns.load())) -
                      t0)
                      .count());
  }
  std::fputs(summarize_checkpoints(*r).c_str(), stdout);
  return 0;
}

void add_event_options(CLI::App* a, content_event_options& o) {
  a->add_option("--users", o.users, "Distinct users")->capture_default_str();
  a->add_option("--contents", o.contents, "Content items (Zipf popularity)")->capture_default_str();
  a->add_option("--rate", o.rate, "Events per second of event time")->capture_default_str();
  a->add_option("--seed", o.seed, "Generator seed")->capture_default_str();
  a->add_option("--straggler-share", o.straggler_share, "Share of events later than the lateness")
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"content_metrics: the reference content-delivery pipeline"};
  app.require_subcommand(1);
  int rc = 0;

  content_event_options hist;
  hist.rate = 100;
  double days = 7;
  std::string dir;
  auto* w = app.add_subcommand("write-history", "Write days of events as JSON-lines gzip files");
  add_event_options(w, hist);
  w->add_option("--days", days, "Days of history")->capture_default_str();
  w->add_option("--out", dir, "The directory")->required();
  w->callback([&] { rc = write_history(hist, days, dir); });

  run_options ro;
  ro.events.rate = 100;
  double run_days = 7;
  auto* r = app.add_subcommand("run", "Run the pipeline over history then live events");
  add_event_options(r, ro.events);
  r->add_option("--history", ro.history, "History from write-history (same generator options)");
  r->add_option("--days", run_days, "Days in that history")->capture_default_str();
  r->add_option("--live", ro.live, "Live events after the history")->capture_default_str();
  r->add_option("--live-rate", ro.live_rate,
                "Live events per second of wall-clock time, 0: unlimited")
      ->capture_default_str();
  r->add_option("--parallelism,-p", ro.parallelism)
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  r->add_option("--out", ro.out, "Write the late events and the 7-day windows there");
  r->add_option("--state-backend", ro.state.kind, "Keyed state: memory or rocksdb")
      ->capture_default_str()
      ->check(CLI::IsMember({"memory", "rocksdb"}));
  r->add_option("--state-dir", ro.state.directory, "RocksDB: its working directory goes here");
  auto* every = r->add_option("--checkpoint-interval-ms", ro.checkpoint_ms, "Checkpoint interval")
                    ->check(CLI::PositiveNumber);
  r->add_option("--checkpoint-dir", ro.checkpoint_dir, "Checkpoint into this directory")
      ->needs(every);
  every->needs("--checkpoint-dir");
  r->add_flag("--snapshot-on-task", ro.snapshot_on_task,
              "Write snapshots on the operators' tasks, not on the state writer's thread")
      ->needs(every);
  r->add_option("--from", ro.from, "Restore from a checkpoint, or the latest in a directory");
  r->add_flag("--latency", ro.latency,
              "Measure the time from each window's completion to its enriched events' output "
              "(live events at a limited rate only)");
  r->add_flag("--work-stealing", ro.work_stealing,
              "Schedule actors by work stealing instead of from one shared queue");
  r->add_option("--buffer-timeout-ms", ro.buffer_timeout_ms,
                "How long a partly filled batch may wait, and how often a waiting source polls")
      ->capture_default_str()
      ->check(CLI::Range(
          0.001,
          std::chrono::duration<double, std::milli>(channel_options::max_buffer_timeout).count()));
  r->add_flag("!--no-drain", ro.drain,
              "At the end, do not fire the windows still open (measures the steady state)");
  r->callback([&] { rc = run(ro, run_days); });

  run_options demo;
  demo.live = 30'000;
  demo.events.rate = 2'000;
  // Few keys: at the end of the input every key's 7-day windows up to a week later fire.
  demo.events.users = 10'000;
  demo.events.contents = 300;
  auto* d = app.add_subcommand(
      "demo", "Write 5 minutes of history, replay it, then 3 seconds of live events");
  d->add_option("--parallelism,-p", demo.parallelism)
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  d->add_option("--live", demo.live, "Live events")->capture_default_str();
  d->callback([&] {
    auto tmp = std::filesystem::temp_directory_path() / "content_metrics_demo_history";
    std::filesystem::remove_all(tmp);
    const double minutes = 5;
    rc = write_history(demo.events, minutes / 1440, tmp.string());
    if (rc == 0) {
      demo.history = tmp.string();
      demo.live_rate = 10'000;
      rc = run(demo, minutes / 1440);
    }
    std::filesystem::remove_all(tmp);
  });
  CLI11_PARSE(app, argc, argv);
  return rc;
}
