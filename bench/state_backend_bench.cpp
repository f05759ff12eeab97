// Keyed state on the memory and RocksDB backends (issue #6). One case per process, so the peak
// RSS printed is the case's own. Prints one JSON line.
//
//   state_backend_bench rmw memory|rocksdb KEYS OPS uniform|zipf [CACHE_ENTRIES]
//     value-state read-modify-write (get_or_create() += 1) on keys drawn uniformly or by Zipf
//     (exponent 1.0) from KEYS keys, through keyed_state_store, as a keyed count does. The
//     RocksDB row includes the final flush() of the write-back cache.
//   state_backend_bench checkpoint KEYS
//     writes KEYS keys (a value state of 8-byte values), flushes, then times create_checkpoint,
//     a second checkpoint after changing 1% of the keys (its new bytes are the incremental
//     cost), and restores of the first checkpoint: all key groups (files linked in) and half of
//     them (entries copied), each into a fresh database.
//   state_backend_bench snapshot memory|rocksdb KEYS
//     the same state on either backend, and the time and size of keyed_state_store::snapshot()
//     (what a job's checkpoint writes for the state, every entry every time) and the time of
//     restore() into a fresh store.
//
// RocksDB directories go under $BENCH_DIR (default: the system temp directory) and are removed
// at the end. Both backends print a checksum (the sum of all counts) that must equal OPS.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "dataflow/core/zipf_sampler.hpp"
#include "dataflow/state/keyed_state_store.hpp"
#include "dataflow/state/rocksdb_state_backend.hpp"

using namespace dataflow;
namespace fs = std::filesystem;

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

[[noreturn]] void die(const status& s) {
  std::fprintf(stderr, "state_backend_bench: %s\n", s.to_string().c_str());
  std::exit(1);
}

/// A scratch directory for RocksDB, removed at exit.
struct scratch {
  fs::path path;
  scratch() {
    const char* base = std::getenv("BENCH_DIR");
    path = fs::path(base ? base : fs::temp_directory_path().string()) /
           ("state_backend_bench-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::shared_ptr<rocksdb_state_backend> open_rocksdb(const fs::path& dir, std::size_t cache) {
  rocksdb_options o;
  o.state_cache_entries = cache;
  auto b = rocksdb_state_backend::open(dir.string(), o);
  if (!b) die(b.error());
  return *b;
}

operator_context context_of(state_backend* backend) {
  operator_context ctx;
  ctx.info = operator_info{"count", "count", 0, 1, 128};
  ctx.backend = backend;
  return ctx;
}

int run_rmw(const std::string& backend_name, std::uint64_t keys, std::uint64_t ops,
            const std::string& dist, std::size_t cache) {
  scratch dir;
  std::shared_ptr<state_backend> backend = make_memory_state_backend();
  if (backend_name == "rocksdb") backend = open_rocksdb(dir.path / "db", cache);
  keyed_state_store<std::uint64_t> store;
  if (auto s = store.open(context_of(backend.get())); !s) die(s);
  auto& count = store.value<std::int64_t>("count");

  splitmix64 rng(42);
  zipf_sampler zipf(keys, 1.0);
  const bool uniform = dist == "uniform";
  // Zipf ranks scattered over the key space, so hot keys are not neighbours.
  auto next_key = [&] { return uniform ? rng() % keys : mix_hash(zipf(rng)) % keys; };
  auto start = clock_type::now();
  for (std::uint64_t i = 0; i < ops; ++i) {
    store.set_current_key(next_key());
    count.get_or_create() += 1;
  }
  if (auto s = store.flush(); !s) die(s);
  double secs = seconds_since(start);

  std::int64_t checksum = 0;  // not timed: every key read back
  for (std::uint64_t k = 0; k < keys; ++k) {
    store.set_current_key(k);
    checksum += count.value_or(0);
  }
  std::printf(
      "{\"bench\":\"state_backend\",\"mode\":\"rmw\",\"backend\":\"%s\",\"keys\":%llu,"
      "\"ops\":%llu,\"dist\":\"%s\",\"cache_entries\":%zu,"
      "\"seconds\":%.3f,\"ops_per_s\":%.0f,"
      "\"checksum\":%lld,\"peak_rss_mb\":%.1f}\n",
      backend_name.c_str(), static_cast<unsigned long long>(keys),
      static_cast<unsigned long long>(ops), dist.c_str(),
      backend_name == "rocksdb" ? cache : std::size_t{0}, secs, static_cast<double>(ops) / secs,
      static_cast<long long>(checksum), peak_rss_mb());
  return checksum == static_cast<std::int64_t>(ops) ? 0 : 1;
}

/// Bytes of the regular files in `dir`, and of those not hard-linked from `shared_with`.
std::pair<std::uintmax_t, std::uintmax_t> dir_bytes(const fs::path& dir,
                                                    const fs::path& shared_with = {}) {
  std::set<ino_t> old;
  if (!shared_with.empty())
    for (auto& e : fs::directory_iterator(shared_with)) {
      struct stat st {};
      if (::stat(e.path().c_str(), &st) == 0) old.insert(st.st_ino);
    }
  std::uintmax_t all = 0, fresh = 0;
  for (auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    struct stat st {};
    if (::stat(e.path().c_str(), &st) != 0) continue;
    all += static_cast<std::uintmax_t>(st.st_size);
    if (!old.contains(st.st_ino)) fresh += static_cast<std::uintmax_t>(st.st_size);
  }
  return {all, fresh};
}

int run_checkpoint(std::uint64_t keys) {
  scratch dir;
  auto backend = open_rocksdb(dir.path / "db", 65536);
  keyed_state_store<std::uint64_t> store;
  if (auto s = store.open(context_of(backend.get())); !s) die(s);
  auto& v = store.value<std::int64_t>("v");

  auto start = clock_type::now();
  for (std::uint64_t k = 0; k < keys; ++k) {
    store.set_current_key(k);
    v.update(static_cast<std::int64_t>(k));  // a blind write: no read
  }
  if (auto s = store.flush(); !s) die(s);
  double load_secs = seconds_since(start);

  start = clock_type::now();
  if (auto s = backend->create_checkpoint((dir.path / "cp1").string()); !s) die(s);
  double cp1_secs = seconds_since(start);
  auto [cp1_bytes, cp1_new] = dir_bytes(dir.path / "cp1");

  splitmix64 rng(7);
  for (std::uint64_t i = 0; i < keys / 100; ++i) {
    store.set_current_key(rng() % keys);
    v.update(-1);
  }
  if (auto s = store.flush(); !s) die(s);
  start = clock_type::now();
  if (auto s = backend->create_checkpoint((dir.path / "cp2").string()); !s) die(s);
  double cp2_secs = seconds_since(start);
  auto [cp2_bytes, cp2_new] = dir_bytes(dir.path / "cp2", dir.path / "cp1");

  start = clock_type::now();
  auto full = open_rocksdb(dir.path / "full", 65536);
  auto full_stats = full->restore_from_checkpoint((dir.path / "cp1").string(), {0, 127});
  if (!full_stats) die(full_stats.error());
  double full_secs = seconds_since(start);
  start = clock_type::now();
  auto half = open_rocksdb(dir.path / "half", 65536);
  auto half_stats = half->restore_from_checkpoint((dir.path / "cp1").string(), {0, 63});
  if (!half_stats) die(half_stats.error());
  double half_secs = seconds_since(start);

  std::printf(
      "{\"bench\":\"state_backend\",\"mode\":\"checkpoint\",\"keys\":%llu,\"load_seconds\":%.3f,"
      "\"checkpoint_seconds\":%.3f,\"checkpoint_bytes\":%llu,"
      "\"second_checkpoint_seconds\":%.3f,\"second_checkpoint_bytes\":%llu,"
      "\"second_checkpoint_new_bytes\":%llu,\"restore_all_seconds\":%.3f,"
      "\"restore_all_imported\":%d,\"restore_half_seconds\":%.3f,\"restore_half_entries\":%zu,"
      "\"peak_rss_mb\":%.1f}\n",
      static_cast<unsigned long long>(keys), load_secs, cp1_secs,
      static_cast<unsigned long long>(cp1_bytes), cp2_secs,
      static_cast<unsigned long long>(cp2_bytes), static_cast<unsigned long long>(cp2_new),
      full_secs, full_stats->imported_column_families, half_secs, half_stats->copied_entries,
      peak_rss_mb());
  (void)cp1_new;
  return 0;
}

/// keyed_state_store::snapshot() and restore(), the path the runtime's checkpoints take on
/// either backend: every entry serialized at every checkpoint, and decoded again on restore
/// (into a fresh store on the same backend kind).
int run_snapshot(const std::string& backend_name, std::uint64_t keys) {
  scratch dir;
  const bool rocksdb = backend_name == "rocksdb";
  auto open = [&](const char* name) -> std::shared_ptr<state_backend> {
    if (rocksdb) return open_rocksdb(dir.path / name, 65536);
    return make_memory_state_backend();
  };
  auto backend = open("db");
  keyed_state_store<std::uint64_t> store;
  if (auto s = store.open(context_of(backend.get())); !s) die(s);
  auto& v = store.value<std::int64_t>("v");
  for (std::uint64_t k = 0; k < keys; ++k) {
    store.set_current_key(k);
    v.update(static_cast<std::int64_t>(k));
  }
  if (auto s = store.flush(); !s) die(s);
  std::string bytes;
  auto start = clock_type::now();
  if (auto s = store.snapshot(bytes); !s) die(s);
  const double snapshot_secs = seconds_since(start);

  auto fresh = open("restored");
  keyed_state_store<std::uint64_t> again;
  if (auto s = again.open(context_of(fresh.get())); !s) die(s);
  start = clock_type::now();
  if (auto s = again.restore(bytes); !s) die(s);
  (void)again.value<std::int64_t>("v");  // declared: the pending bytes are decoded now
  if (auto s = again.flush(); !s) die(s);
  const double restore_secs = seconds_since(start);
  std::printf(
      "{\"bench\":\"state_backend\",\"mode\":\"snapshot\",\"backend\":\"%s\",\"keys\":%llu,"
      "\"snapshot_seconds\":%.3f,\"snapshot_bytes\":%zu,\"restore_seconds\":%.3f,"
      "\"peak_rss_mb\":%.1f}\n",
      backend_name.c_str(), static_cast<unsigned long long>(keys), snapshot_secs, bytes.size(),
      restore_secs, peak_rss_mb());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "rmw" && argc >= 6) {
    std::size_t cache = argc > 6 ? std::strtoull(argv[6], nullptr, 10) : 65536;
    return run_rmw(argv[2], std::strtoull(argv[3], nullptr, 10),
                   std::strtoull(argv[4], nullptr, 10), argv[5], cache);
  }
  if (mode == "checkpoint" && argc >= 3) return run_checkpoint(std::strtoull(argv[2], nullptr, 10));
  if (mode == "snapshot" && argc >= 4)
    return run_snapshot(argv[2], std::strtoull(argv[3], nullptr, 10));
  std::fprintf(stderr,
               "usage: state_backend_bench rmw memory|rocksdb KEYS OPS uniform|zipf "
               "[CACHE_ENTRIES]\n"
               "       state_backend_bench checkpoint KEYS\n"
               "       state_backend_bench snapshot memory|rocksdb KEYS\n");
  return 2;
}
