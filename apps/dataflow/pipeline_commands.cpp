#include "pipeline_commands.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "control_server.hpp"
#include "dataflow/actors/local_environment.hpp"
#include "dataflow/api/checkpoint_summary.hpp"
#include "dataflow/checkpoint/job_description.hpp"
#include "dataflow/checkpoint/loaded_checkpoint.hpp"
#include "dataflow/checkpoint/restore_compatibility.hpp"
#include "dataflow/core/parse_duration.hpp"
#include "dataflow/pipeline/pipeline_builder.hpp"
#include "dataflow/pipeline/pipeline_parser.hpp"

namespace dataflow::apps {
namespace {

/// Parses and builds the pipeline, or prints why not.
bool load(const std::string& path, environment& env, built_pipeline& built) {
  auto spec = parse_pipeline_file(path);
  if (!spec) {
    std::fprintf(stderr, "dataflow: %s\n", spec.error().message().c_str());
    return false;
  }
  auto b = build_pipeline(*spec, env);
  if (!b) {
    std::fprintf(stderr, "dataflow: %s\n", b.error().message().c_str());
    return false;
  }
  if (auto s = env.graph().validate(env.options().parallelism, env.options().max_parallelism); !s) {
    std::fprintf(stderr, "dataflow: %s: %s\n", path.c_str(), s.message().c_str());
    return false;
  }
  built = std::move(*b);
  return true;
}

struct totals {
  std::uint64_t records = 0, dead = 0, bytes = 0;
  double fraction = 0;
  bool bounded = true;
};

totals sum(const built_pipeline& b) {
  totals t;
  double f = 0;
  for (auto& s : b.sources) {
    t.records += s.progress->records.load();
    t.dead += s.progress->dead_letters.load();
    t.bytes += s.progress->bytes.load();
    f += s.fraction();
    t.bounded = t.bounded && !s.unbounded;
  }
  t.fraction = b.sources.empty() ? 1.0 : f / static_cast<double>(b.sources.size());
  return t;
}

void print_progress(const totals& t, double seconds) {
  const double rate = seconds > 0 ? static_cast<double>(t.records) / seconds : 0.0;
  if (t.bounded)
    std::fprintf(stderr, "\r%llu records, %.1f MB, %.0f%% of input, %.0f records/s   ",
                 static_cast<unsigned long long>(t.records), static_cast<double>(t.bytes) / 1e6,
                 t.fraction * 100, rate);
  else
    std::fprintf(stderr, "\r%llu records, %.1f MB, %.0f records/s (Ctrl-C stops)   ",
                 static_cast<unsigned long long>(t.records), static_cast<double>(t.bytes) / 1e6,
                 rate);
}

/// The run command's checkpoint flags on top of what the pipeline file set.
status apply_checkpoint_options(const run_options& o, job_options& job) {
  auto& c = job.checkpoints;
  if (!o.checkpoint_dir.empty()) c.directory = o.checkpoint_dir;
  if (!o.checkpoint_interval.empty()) {
    auto d = parse_duration(o.checkpoint_interval);
    if (!d || *d <= 0)
      return {errc::invalid_configuration,
              "--checkpoint-interval: expected a duration such as 500ms, 10s or 1m, got \"" +
                  o.checkpoint_interval + "\""};
    c.interval = std::chrono::milliseconds(*d);
  }
  if (o.retained > 0) c.retained = o.retained;
  if (!o.checkpoint_timeout.empty()) {
    auto d = parse_duration(o.checkpoint_timeout);
    if (!d || *d < 0)
      return {errc::invalid_configuration,
              "--checkpoint-timeout: expected a duration such as 30s or 10m (0: none), got \"" +
                  o.checkpoint_timeout + "\""};
    c.timeout = std::chrono::milliseconds(*d);
  }
  if (o.snapshot_on_task) c.snapshot_on_task = true;
  if (c.directory.empty() && c.interval.count() > 0)
    return {errc::invalid_configuration, "--checkpoint-interval needs --checkpoint-dir"};
  if (!o.from.empty()) job.restore_from = o.from;
  job.allow_dropped_state = o.allow_dropped_state;
  return job.validate();
}

/// The run command's --buffer-timeout on top of the pipeline file's `channels` section.
status apply_channel_options(const run_options& o, job_options& job) {
  if (o.buffer_timeout.empty()) return status::ok();
  auto d = parse_duration(o.buffer_timeout);
  if (!d || *d <= 0 || std::chrono::milliseconds(*d) > channel_options::max_buffer_timeout)
    return {errc::invalid_configuration,
            "--buffer-timeout: expected a duration from 1ms to 1h such as 20ms, got \"" +
                o.buffer_timeout + "\"" + (d ? "" : " (" + d.error().message() + ")")};
  job.channels.buffer_timeout = std::chrono::milliseconds(*d);
  return job.channels.validate();
}

/// The run command's state flags on top of the pipeline file's `state` section.
status apply_state_options(const run_options& o, const built_pipeline& built, job_options& job) {
  if (o.state_backend.empty() && o.state_dir.empty()) return status::ok();
  auto config = built.state;
  if (!o.state_backend.empty()) {
    if (o.state_backend != config.kind) config = state_backend_config{};
    config.kind = o.state_backend;
  }
  if (config.kind != "memory" && config.kind != "rocksdb")
    return {errc::invalid_configuration,
            "--state-backend: expected memory or rocksdb, got \"" + config.kind + "\""};
  if (!o.state_dir.empty()) {
    if (config.kind != "rocksdb")
      return {errc::invalid_configuration,
              "--state-dir needs --state-backend rocksdb (or state.backend: rocksdb in the file)"};
    config.directory = o.state_dir;
  }
  auto backend = make_state_backend(config);
  if (!backend) return backend.error();
  job.backend = std::move(*backend);
  return status::ok();
}

std::atomic<bool> stop_requested{false};
extern "C" void on_stop_signal(int) {
  stop_requested.store(true);
}

}  // namespace

int validate_pipeline(const std::string& path) {
  local_environment env;
  built_pipeline built;
  if (!load(path, env, built)) return 1;
  std::printf("%s: valid\n%s\n", path.c_str(), env.graph().to_text().c_str());
  return 0;
}

int print_pipeline_graph(const std::string& path, bool json) {
  local_environment env;
  built_pipeline built;
  if (!load(path, env, built)) return 1;
  std::printf("%s\n", json ? env.graph().to_json().c_str() : env.graph().to_text().c_str());
  return 0;
}

int run_pipeline(const run_options& opts) {
  local_environment env;
  built_pipeline built;
  if (!load(opts.pipeline, env, built)) return 1;
  if (auto s = apply_checkpoint_options(opts, env.options()); !s) {
    std::fprintf(stderr, "dataflow: %s\n", s.message().c_str());
    return 2;
  }
  if (auto s = apply_channel_options(opts, env.options()); !s) {
    std::fprintf(stderr, "dataflow: %s\n", s.message().c_str());
    return 2;
  }
  if (const auto& ch = env.options().channels; ch != channel_options{}) {
    // Settings that change latency and CPU per record are worth a line in the job's log.
    const auto timeout_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(ch.buffer_timeout).count();
    std::fprintf(stderr, "channels: batch_size %zu, buffer_timeout %s, credits %d\n", ch.batch_size,
                 format_duration(timeout_ms).c_str(), ch.credits);
  }
  if (auto s = apply_state_options(opts, built, env.options()); !s) {
    std::fprintf(stderr, "dataflow: %s\n", s.message().c_str());
    return 2;
  }
  // The command line's port wins over the file's control section.
  int control_port = opts.control_port;
  std::string control_port_file = opts.control_port_file;
  if (control_port < 0 && built.control) {
    control_port = built.control->port;
    control_port_file = built.control->port_file;
  }
  std::unique_ptr<control_server> control;
  if (control_port >= 0) {
    auto bound = control_server::bind(control_port);
    if (!bound) {
      std::fprintf(stderr, "dataflow: control port: %s\n", bound.error().message().c_str());
      return 1;
    }
    control = std::move(*bound);
  }
  auto job = env.execute_async();
  if (!job) {
    std::fprintf(stderr, "dataflow: %s\n", job.error().message().c_str());
    return 1;
  }
  if (control)
    if (auto s = control->serve(**job, control_port_file); !s) {
      std::fprintf(stderr, "dataflow: control port: %s\n", s.message().c_str());
      (*job)->cancel();
      (void)(*job)->wait();
      return 1;
    }
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const bool show = opts.progress == "always" || (opts.progress == "auto" && isatty(STDERR_FILENO));
  // An unbounded pipeline runs until Ctrl-C; stop it cleanly so the sinks flush.
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  bool cancelled = false;
  while (!(*job)->wait_for(std::chrono::milliseconds(show ? 250 : 100))) {
    if (stop_requested.load() && !cancelled) {
      cancelled = true;
      (*job)->cancel();
    }
    if (show) print_progress(sum(built), seconds());
  }
  if (show) {  // the final state, so that even a short run shows its line
    print_progress(sum(built), seconds());
    std::fprintf(stderr, "\n");
  }
  control.reset();  // answers the requests in progress (a stop answers now)
  auto result = (*job)->wait();
  if (!result) {
    std::fprintf(stderr, "dataflow: %s failed: %s\n", opts.pipeline.c_str(),
                 result.error().to_string().c_str());
    return 1;
  }
  auto t = sum(built);
  const double secs = seconds();
  if (!result->stop_savepoint.empty())
    std::fprintf(stderr, "stopped with savepoint %s\n", result->stop_savepoint.c_str());
  std::fprintf(stderr,
               "%s: %llu records, %llu dead letters, %.1f MB read, %.3f s, %.0f records/s\n",
               cancelled || !result->stop_savepoint.empty() ? "stopped" : "done",
               static_cast<unsigned long long>(t.records), static_cast<unsigned long long>(t.dead),
               static_cast<double>(t.bytes) / 1e6, secs,
               secs > 0 ? static_cast<double>(t.records) / secs : 0.0);
  std::fputs(summarize_checkpoints(*result).c_str(), stderr);
  for (auto& s : built.sources)
    if (s.hybrid)
      std::fprintf(stderr,
                   "%s: dropped %llu history records at or after switch_at and %llu live records "
                   "before it\n",
                   s.name.c_str(),
                   static_cast<unsigned long long>(s.hybrid->history_dropped.load()),
                   static_cast<unsigned long long>(s.hybrid->live_dropped.load()));
  return 0;
}

int check_savepoint(const savepoint_check_options& opts) {
  local_environment env;
  built_pipeline built;
  if (!load(opts.pipeline, env, built)) return 2;
  auto checkpoint = load_checkpoint(opts.from);
  if (!checkpoint) {
    std::fprintf(stderr, "dataflow: %s\n", checkpoint.error().message().c_str());
    return 2;
  }
  for (auto& why : checkpoint->skipped()) std::printf("skipped       %s\n", why.c_str());
  auto& md = checkpoint->metadata();
  std::printf("%s: %s %lld of job '%s'\n", checkpoint->directory().c_str(),
              std::string(to_string(md.kind)).c_str(), static_cast<long long>(md.id),
              md.job_name.c_str());
  auto job = describe_job(env.graph(), env.options());
  auto report =
      check_restore_compatibility(md, job, {.allow_dropped_state = opts.allow_dropped_state});
  std::printf("%s", report.to_string().c_str());
  for (auto& f : report.findings)
    if (f.level == compatibility_level::incompatible && !job.find(f.uid)) {
      std::printf(
          "(--allow-dropped-state restores without the state of operators that are no "
          "longer in the pipeline)\n");
      break;
    }
  return report.compatible() ? 0 : 1;
}

}  // namespace dataflow::apps
