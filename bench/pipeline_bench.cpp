// generator -> map -> key_by -> keyed count -> sink at parallelism 1, against the same work as
// one hand-written loop; and latency from source to sink at a fixed rate.
// Prints one JSON line per result. Usage: pipeline_bench [events] [keys]
#include <sys/resource.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataflow/actors/local_environment.hpp"

using namespace dataflow;

namespace {

struct event {
  std::uint64_t key;
  std::int64_t value;
  std::int64_t created_ns;  // for latency; 0 in throughput runs
};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

record<event> make_event(std::uint64_t i, std::uint64_t keys) {
  auto h = mix_hash(i);
  return {event{h % keys, static_cast<std::int64_t>(h >> 40), 0}, static_cast<timestamp>(i)};
}

struct counted {
  std::uint64_t key;
  std::int64_t count;
  std::int64_t created_ns;
};

struct keyed_count final : keyed_process_function<std::uint64_t, event, counted> {
  value_state<std::int64_t>* count = nullptr;
  void open(context& ctx) override { count = &ctx.state().value<std::int64_t>("count"); }
  void process_element(const event& e, context& ctx) override {
    auto c = count->value_or(0) + 1;
    count->update(c);
    ctx.output({e.key, c, e.created_ns});
  }
};

/// Sums what it sees (so nothing is optimized away) and records latencies when asked.
struct checksum_sink final : sink_function<counted> {
  std::shared_ptr<std::atomic<std::int64_t>> sum;
  std::shared_ptr<std::vector<std::int64_t>> latencies;
  void write(const std::vector<record<counted>>& rs) override {
    std::int64_t s = 0;
    for (auto& r : rs) s += r.value.count;
    sum->fetch_add(s, std::memory_order_relaxed);
    if (latencies) {
      auto now = now_ns();
      for (auto& r : rs) latencies->push_back(now - r.value.created_ns);
    }
  }
};

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

struct run_result {
  double events_per_s;
  std::int64_t checksum;
};

scheduler_policy policy = job_options{}.scheduler;  // BENCH_SCHEDULER=stealing|sharing

run_result run_framework(std::uint64_t events, std::uint64_t keys, std::size_t batch, double rate,
                         std::vector<std::int64_t>* latencies) {
  local_environment env;
  env.options().scheduler = policy;
  env.options().threads = 2;
  env.options().channels.batch_size = batch;
  env.options().channels.credits = 8;
  generator_options go;
  go.count = events;
  go.rate = rate;
  auto sum = std::make_shared<std::atomic<std::int64_t>>(0);
  std::shared_ptr<std::vector<std::int64_t>> lat;
  if (latencies) lat = std::make_shared<std::vector<std::int64_t>>();
  bool stamp = latencies != nullptr;
  env.from_generator<event>(
         [keys, stamp](std::uint64_t i) {
           auto r = make_event(i, keys);
           if (stamp) r.value.created_ns = now_ns();
           return r;
         },
         go)
      .map([](const event& e) {
        return event{e.key, e.value * 2, e.created_ns};
      })
      .key_by([](const event& e) { return e.key; })
      .process<counted>(keyed_count{})
      .sink_to([sum, lat] {
        auto s = std::make_unique<checksum_sink>();
        s->sum = sum;
        s->latencies = lat;
        return s;
      });
  auto r = env.execute();
  if (!r) {
    std::fprintf(stderr, "job failed: %s\n", r.error().to_string().c_str());
    std::exit(1);
  }
  if (latencies) *latencies = *lat;
  return {static_cast<double>(events) / r->seconds(), sum->load()};
}

run_result run_baseline(std::uint64_t events, std::uint64_t keys) {
  auto t0 = now_ns();
  std::unordered_map<std::uint64_t, std::int64_t> counts;
  std::int64_t sum = 0;
  for (std::uint64_t i = 0; i < events; ++i) {
    auto r = make_event(i, keys);
    event e{r.value.key, r.value.value * 2, r.value.created_ns};
    sum += ++counts[e.key];
  }
  double secs = static_cast<double>(now_ns() - t0) / 1e9;
  return {static_cast<double>(events) / secs, sum};
}

std::int64_t percentile(std::vector<std::int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (const char* p = std::getenv("BENCH_SCHEDULER"); p && std::string(p) == "sharing")
    policy = scheduler_policy::work_sharing;
  if (const char* p = std::getenv("BENCH_SCHEDULER"); p && std::string(p) == "stealing")
    policy = scheduler_policy::work_stealing;
  std::uint64_t events = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20'000'000;
  std::uint64_t keys = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10'000;
  if (argc > 3) {  // profiling aid: only the framework at one batch size
    auto r = run_framework(events, keys, std::strtoull(argv[3], nullptr, 10), 0, nullptr);
    std::printf("{\"events_per_s\":%.0f}\n", r.events_per_s);
    return 0;
  }

  auto base = run_baseline(events, keys);
  std::printf(
      "{\"bench\":\"keyed_count\",\"impl\":\"hand-written loop\",\"events\":%llu,\"keys\":%llu,"
      "\"events_per_s\":%.0f}\n",
      static_cast<unsigned long long>(events), static_cast<unsigned long long>(keys),
      base.events_per_s);
  for (std::size_t batch : {std::size_t{1}, std::size_t{64}, std::size_t{1024}}) {
    // Batches of one record are slow; a tenth of the events still measures them.
    auto n = batch == 1 ? events / 10 : events;
    auto r = run_framework(n, keys, batch, 0, nullptr);
    if (batch != 1 && r.checksum != base.checksum) {
      std::fprintf(stderr, "checksum mismatch: %lld vs %lld\n", static_cast<long long>(r.checksum),
                   static_cast<long long>(base.checksum));
      return 1;
    }
    std::printf(
        "{\"bench\":\"keyed_count\",\"impl\":\"libdataflow\",\"batch_size\":%zu,\"events\":%llu,"
        "\"keys\":%llu,\"events_per_s\":%.0f,\"ratio_to_loop\":%.3f}\n",
        batch, static_cast<unsigned long long>(n), static_cast<unsigned long long>(keys),
        r.events_per_s, r.events_per_s / base.events_per_s);
  }
  // Latency at a fixed 10,000 events/s for 5 seconds, default channel options.
  std::vector<std::int64_t> lat;
  run_framework(50'000, keys, 1024, 10'000, &lat);
  std::printf(
      "{\"bench\":\"latency\",\"rate\":10000,\"events\":%zu,\"p50_us\":%.1f,\"p99_us\":%.1f,"
      "\"max_us\":%.1f,\"peak_rss_mb\":%.1f}\n",
      lat.size(), static_cast<double>(percentile(lat, 0.5)) / 1e3,
      static_cast<double>(percentile(lat, 0.99)) / 1e3,
      static_cast<double>(percentile(lat, 1.0)) / 1e3, peak_rss_mb());
  return 0;
}
