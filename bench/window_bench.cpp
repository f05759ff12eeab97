// Window aggregation at parallelism 1: the window operator against a hand-written slicing loop
// and (for the 7-day case) naive assignment of each element to every window. One case per
// process, so the peak RSS printed is the case's own. Prints one JSON line.
//
//   window_bench CASE AGG IMPL [events] [keys] [days]
//     CASE  a: tumbling 1 min | b: sliding 1 h by 1 min | c: sliding 7 d by 1 min
//     AGG   count | distinct (exact count of distinct users)
//     IMPL  operator | loop | naive | enrich (the enrich operator: the same results on its side
//           output, and every event joined with its window)
//
// Events are generated on the fly (the same sequence for every implementation): `events`
// spread evenly over `days` of event time, up to 2 s out of order, keys uniform over `keys`,
// users uniform over 1,000,000. The watermark follows each batch of 1024 at max ts - 2 s. No
// final watermark: the run measures the stream, not the flush of windows still open at its end.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "dataflow/enrich/enrich_operator.hpp"
#include "dataflow/testing/operator_harness.hpp"
#include "dataflow/window/window_operator_factory.hpp"

using namespace dataflow;

namespace {

struct event {
  std::uint32_t key = 0;
  std::uint32_t user = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(key, user);
  }
};

constexpr duration_ms minute = 60'000, hour = 60 * minute, day = 24 * hour;
constexpr std::size_t batch_size = 1024;

struct config {
  char window = 'a';
  bool distinct = false;
  std::string impl;
  std::uint64_t events = 20'000'000;
  std::uint32_t keys = 100'000;
  int days = 8;
  duration_ms size = minute, slide = minute;
};

/// splitmix64: a cheap, good generator that every implementation sees identically.
struct rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

/// Fills `out` with the next batch; returns the watermark after it.
class generator {
 public:
  explicit generator(const config& c)
      : c_(c), step_(static_cast<double>(c.days * day) / static_cast<double>(c.events)) {}
  bool done() const { return i_ >= c_.events; }
  timestamp fill(std::vector<record<event>>& out) {
    out.clear();
    for (std::size_t n = 0; n < batch_size && i_ < c_.events; ++n, ++i_) {
      auto r = g_.next();
      auto ts = static_cast<timestamp>(static_cast<double>(i_) * step_) -
                static_cast<timestamp>(r % 2000);
      out.push_back({{static_cast<std::uint32_t>((r >> 16) % c_.keys),
                      static_cast<std::uint32_t>((r >> 40) % 1'000'000)},
                     ts});
      max_ts_ = std::max(max_ts_, ts);
    }
    return max_ts_ - 2000;
  }

 private:
  const config& c_;
  double step_;
  std::uint64_t i_ = 0;
  rng g_{42};
  timestamp max_ts_ = min_timestamp;
};

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

/// Results emitted and a checksum over them, so every implementation can be compared.
struct tally {
  std::uint64_t results = 0;
  std::uint64_t checksum = 0;
  bool dump = std::getenv("BENCH_DUMP") != nullptr;  // prints every result, for checking
  void add(std::uint32_t key, timestamp end, std::uint64_t value) {
    if (dump)
      std::printf("%u %lld %llu\n", key, static_cast<long long>(end),
                  static_cast<unsigned long long>(value));
    ++results;
    checksum += (static_cast<std::uint64_t>(key) * 1'000'003u) ^
                (static_cast<std::uint64_t>(end) * 7) ^ (value * 0x9E3779B97F4A7C15ull);
  }
};

// -- the operator ------------------------------------------------------------------------------

template <class Agg>
tally run_operator(const config& c, Agg agg) {
  auto key_fn = [](const event& e) { return e.key; };
  std::unique_ptr<operator_base> op;
  if (c.size == c.slide)
    op = make_window_aggregate<event>(key_fn, tumbling_windows(c.size), agg);
  else
    op = make_window_aggregate<event>(key_fn, sliding_windows(c.size, c.slide), agg);
  using Out = window_result<std::uint32_t, typename Agg::result_type>;
  testing::manual_clock clock;
  operator_context ctx;
  ctx.clock = &clock;
  op->open(ctx);
  operator_output out(&record_type_of<Out>());
  batch<event> in;
  generator gen(c);
  tally t;
  while (!gen.done()) {
    auto wm = gen.fill(in.records);
    op->on_batch(0, in, out);
    op->on_watermark(wm, out);
    for (auto& r : out.records<Out>())
      t.add(r.value.key, r.value.window.end, static_cast<std::uint64_t>(r.value.value));
    out.clear();
  }
  return t;
}

// -- enrichment: the same aggregate, every element joined with its window ---------------------

/// The enrich operator with its window results on a side output: the results (and so the
/// checksum) must equal the operator's; `enriched` counts the joined elements (one per event).
template <class Agg>
tally run_enrich(const config& c, Agg agg, std::uint64_t& enriched_out) {
  auto key_fn = [](const event& e) { return e.key; };
  using R = typename Agg::result_type;
  using Out = enriched<event, R>;
  using Res = window_result<std::uint32_t, R>;
  const auto strategy = c.size == c.slide ? slice_strategy::single_slice : slice_strategy_for(agg);
  const sliced_geometry g{c.size, c.slide, 0};
  enrich_operator<std::uint32_t, event, Agg, Out, decltype(key_fn), detail::make_enriched> op(
      key_fn, agg, {}, g, {}, strategy, "results");
  testing::manual_clock clock;
  operator_context ctx;
  ctx.clock = &clock;
  op.open(ctx);
  operator_output out(&record_type_of<Out>());
  batch<event> in;
  generator gen(c);
  tally t;
  auto drain = [&] {
    enriched_out += out.records<Out>().size();
    for (auto& r : out.side<Res>("results"))
      t.add(r.value.key, r.value.window.end, static_cast<std::uint64_t>(r.value.value));
    out.clear();
  };
  while (!gen.done()) {
    auto wm = gen.fill(in.records);
    op.on_batch(0, in, out);
    op.on_watermark(wm, out);
    drain();
  }
  op.on_watermark(max_timestamp, out);  // the last elements' windows: one output per event
  enriched_out += out.records<Out>().size();
  return t;
}

// -- the hand-written slicing loop -------------------------------------------------------------

/// Per key: slices of one slide (here slide divides size) and the running window, kept by hand.
template <class Slice, class Ops>
tally run_loop(const config& c, Ops ops) {
  struct key_state {
    std::vector<std::pair<timestamp, Slice>> slices;  // by start, live from head
    std::size_t head = 0;
    Slice run{};
    timestamp lo = 0, hi = 0;        // run covers slices in [lo, hi)
    std::size_t lo_i = 0, hi_i = 0;  // the first slices at or after lo and hi
    timestamp next_end = max_timestamp;
    timestamp wake = max_timestamp;
  };
  absl::flat_hash_map<std::uint32_t, key_state> keys;
  std::map<timestamp, std::vector<std::uint32_t>> wakes;
  const duration_ms size = c.size, slide = c.slide;
  auto first_at = [](const key_state& st, timestamp t) {
    return static_cast<std::size_t>(
        std::lower_bound(st.slices.begin() + static_cast<std::ptrdiff_t>(st.head), st.slices.end(),
                         t, [](auto& a, timestamp b) { return a.first < b; }) -
        st.slices.begin());
  };
  generator gen(c);
  std::vector<record<event>> in;
  tally t;
  while (!gen.done()) {
    const timestamp wm = gen.fill(in);
    for (auto& r : in) {
      auto& st = keys[r.value.key];
      const timestamp s = window_start(r.ts, 0, slide);
      auto& v = st.slices;
      Slice* target = nullptr;
      if (st.head < v.size() && v.back().first == s) {
        target = &v.back().second;
      } else if (st.head == v.size() || v.back().first < s) {
        target = &v.emplace_back(s, Slice{}).second;
        st.lo_i += s < st.lo;
        st.hi_i += s < st.hi;
      } else {
        auto it = std::lower_bound(v.begin() + st.head, v.end(), s,
                                   [](auto& a, timestamp b) { return a.first < b; });
        if (it == v.end() || it->first != s) {
          it = v.insert(it, {s, Slice{}});
          st.lo_i += s < st.lo;
          st.hi_i += s < st.hi;
        }
        target = &it->second;
      }
      ops.add(*target, r.value);
      if (s >= st.lo && s < st.hi) ops.add(st.run, r.value);
      const timestamp first_end = s + slide;
      if (first_end < st.next_end) {
        st.next_end = first_end;
        if (first_end - 1 < st.wake) {
          st.wake = first_end - 1;
          wakes[st.wake].push_back(r.value.key);
        }
      }
    }
    while (!wakes.empty() && wakes.begin()->first <= wm) {
      auto node = wakes.extract(wakes.begin());
      for (auto key : node.mapped()) {
        auto it = keys.find(key);
        if (it == keys.end() || it->second.wake != node.key()) continue;
        auto& st = it->second;
        st.wake = max_timestamp;
        auto& v = st.slices;
        while (st.next_end - 1 <= wm) {
          const timestamp we = st.next_end, ws = we - size;
          // Move the running window to [ws, we): retract what leaves, add what enters.
          if (ws >= st.hi || ws < st.lo) {
            st.run = Slice{};
            st.lo = st.hi = ws;
            st.lo_i = st.hi_i = first_at(st, ws);
          }
          for (; st.lo_i < v.size() && v[st.lo_i].first < ws; ++st.lo_i)
            ops.retract(st.run, v[st.lo_i].second);
          for (; st.hi_i < v.size() && v[st.hi_i].first < we; ++st.hi_i)
            ops.add_slice(st.run, v[st.hi_i].second);
          st.lo = ws;
          st.hi = we;
          t.add(key, we, ops.result(st.run));
          // Next window with a slice in it.
          std::size_t j = st.lo_i;
          while (j < v.size() && v[j].first < we + slide - size) ++j;
          st.next_end = j == v.size() ? max_timestamp : std::max(we + slide, v[j].first + slide);
        }
        // Drop slices whose last window fired.
        while (st.head < v.size() && v[st.head].first + size - 1 <= wm) {
          if (v[st.head].first >= st.lo && v[st.head].first < st.hi) {
            ops.retract(st.run, v[st.head].second);
            st.lo = v[st.head].first + slide;
          }
          v[st.head].second = Slice{};
          ++st.head;
        }
        if (st.head == v.size()) {
          keys.erase(it);
          continue;
        }
        st.lo_i = std::max(st.lo_i, st.head);
        st.hi_i = std::max(st.hi_i, st.head);
        if (st.head >= 32 && st.head * 2 >= v.size()) {
          v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(st.head));
          st.lo_i -= st.head;
          st.hi_i -= st.head;
          st.head = 0;
        }
        const timestamp clean = v[st.head].first + size - 1;
        st.wake = std::min(clean, st.next_end == max_timestamp ? clean : st.next_end - 1);
        wakes[st.wake].push_back(key);
      }
    }
  }
  return t;
}

struct count_ops {
  void add(std::int64_t& s, const event&) const { ++s; }
  void add_slice(std::int64_t& run, const std::int64_t& s) const { run += s; }
  void retract(std::int64_t& run, const std::int64_t& s) const { run -= s; }
  std::uint64_t result(const std::int64_t& run) const { return static_cast<std::uint64_t>(run); }
};

struct distinct_ops {
  using map = absl::flat_hash_map<std::uint32_t, std::uint32_t>;
  void add(map& s, const event& e) const { ++s[e.user]; }
  void add_slice(map& run, const map& s) const {
    for (auto& [u, n] : s) run[u] += n;
  }
  void retract(map& run, const map& s) const {
    for (auto& [u, n] : s) {
      auto it = run.find(u);
      if (it->second <= n)
        run.erase(it);
      else
        it->second -= n;
    }
  }
  std::uint64_t result(const map& run) const { return run.size(); }
};

// -- naive: every element into every window -------------------------------------------------

template <class Acc, class Ops>
tally run_naive(const config& c, Ops ops) {
  struct window_key {
    std::uint32_t key;
    timestamp start;
    bool operator==(const window_key&) const = default;
  };
  struct hash {
    std::size_t operator()(const window_key& k) const { return absl::HashOf(k.key, k.start); }
  };
  absl::flat_hash_map<window_key, Acc, hash> windows;
  std::map<timestamp, std::vector<window_key>> timers;  // by end - 1
  const duration_ms size = c.size, slide = c.slide;
  generator gen(c);
  std::vector<record<event>> in;
  tally t;
  while (!gen.done()) {
    const timestamp wm = gen.fill(in);
    for (auto& r : in) {
      for (auto s = window_start(r.ts, 0, slide); s > r.ts - size; s -= slide) {
        auto [it, fresh] = windows.try_emplace(window_key{r.value.key, s});
        ops.add(it->second, r.value);
        if (fresh) timers[s + size - 1].push_back(it->first);
      }
    }
    while (!timers.empty() && timers.begin()->first <= wm) {
      auto node = timers.extract(timers.begin());
      for (auto& k : node.mapped()) {
        auto it = windows.find(k);
        t.add(k.key, k.start + size, ops.result(it->second));
        windows.erase(it);
      }
    }
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: window_bench a|b|c count|distinct operator|enrich|loop|naive "
                 "[events] [keys] [days]\n");
    return 2;
  }
  config c;
  c.window = argv[1][0];
  c.distinct = std::string(argv[2]) == "distinct";
  c.impl = argv[3];
  if (argc > 4) c.events = std::strtoull(argv[4], nullptr, 10);
  if (argc > 5) c.keys = static_cast<std::uint32_t>(std::strtoul(argv[5], nullptr, 10));
  if (argc > 6) c.days = std::atoi(argv[6]);
  if (c.window == 'b') c.size = hour;
  if (c.window == 'c') c.size = 7 * day;

  auto start = std::chrono::steady_clock::now();
  tally t;
  std::uint64_t enriched_out = 0;
  if (c.impl == "operator") {
    if (c.distinct)
      t = run_operator(c, agg::count_distinct(&event::user));
    else
      t = run_operator(c, agg::count<event>());
  } else if (c.impl == "enrich") {
    if (c.distinct)
      t = run_enrich(c, agg::count_distinct(&event::user), enriched_out);
    else
      t = run_enrich(c, agg::count<event>(), enriched_out);
  } else if (c.impl == "loop") {
    if (c.distinct)
      t = run_loop<distinct_ops::map>(c, distinct_ops{});
    else
      t = run_loop<std::int64_t>(c, count_ops{});
  } else if (c.impl == "naive") {
    if (c.distinct)
      t = run_naive<distinct_ops::map>(c, distinct_ops{});
    else
      t = run_naive<std::int64_t>(c, count_ops{});
  } else {
    std::fprintf(stderr, "unknown implementation %s\n", c.impl.c_str());
    return 2;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"bench\":\"window\",\"case\":\"%c\",\"size_ms\":%lld,\"slide_ms\":%lld,\"agg\":\"%s\","
      "\"impl\":\"%s\",\"events\":%llu,\"keys\":%u,\"days\":%d,\"seconds\":%.3f,"
      "\"events_per_s\":%.0f,\"results\":%llu,\"checksum\":%llu,\"enriched\":%llu,"
      "\"peak_rss_mb\":%.1f}\n",
      c.window, static_cast<long long>(c.size), static_cast<long long>(c.slide),
      c.distinct ? "count_distinct" : "count", c.impl.c_str(),
      static_cast<unsigned long long>(c.events), c.keys, c.days, secs,
      static_cast<double>(c.events) / secs, static_cast<unsigned long long>(t.results),
      static_cast<unsigned long long>(t.checksum), static_cast<unsigned long long>(enriched_out),
      peak_rss_mb());
  return 0;
}
