// Keyed state on RocksDB: word counts in a value state, a native checkpoint, and a restart
// that restores it into a fresh database (docs/state-backends.md).
#include <cstdio>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "dataflow/state/keyed_state_store.hpp"
#include "dataflow/state/rocksdb_state_backend.hpp"

using namespace dataflow;

int fail(const status& s) {
  std::fprintf(stderr, "%s\n", s.to_string().c_str());
  return 1;
}

int main() {
  auto dir = std::filesystem::temp_directory_path() /
             ("dataflow-rocksdb-example-" + std::to_string(::getpid()));

  // One backend is one RocksDB database; a job shares one per process. As a state_backend it
  // goes in job_options::backend (make_rocksdb_state_backend); here it is used directly.
  auto backend = rocksdb_state_backend::open((dir / "live").string());
  if (!backend) return fail(backend.error());

  // An operator instance opens its keyed state with the context it was opened with.
  operator_context ctx;
  ctx.info = operator_info{"count words", "count-words", 0, 1, 128};
  ctx.backend = backend->get();
  keyed_state_store<std::string> store;
  if (auto s = store.open(ctx); !s) return fail(s);
  auto& count = store.value<long>("count");
  for (std::string word : {"to", "be", "or", "not", "to", "be"}) {
    store.set_current_key(word);
    count.get_or_create() += 1;  // in the write-back cache until flushed or evicted
  }

  // A native checkpoint: the cache's changes go to RocksDB, then its files are hard-linked.
  if (auto s = store.flush(); !s) return fail(s);
  if (auto s = (*backend)->create_checkpoint((dir / "checkpoint-1").string()); !s) return fail(s);

  // A restart: a fresh database, every key group brought back, the state declared again.
  auto restarted = rocksdb_state_backend::open((dir / "restarted").string());
  if (!restarted) return fail(restarted.error());
  auto stats = (*restarted)->restore_from_checkpoint((dir / "checkpoint-1").string(), {0, 127});
  if (!stats) return fail(stats.error());
  ctx.backend = restarted->get();
  keyed_state_store<std::string> again;
  if (auto s = again.open(ctx); !s) return fail(s);
  auto& restored = again.value<long>("count");
  for (std::string word : {"be", "not", "or", "to"}) {
    again.set_current_key(word);
    std::printf("%s %ld\n", word.c_str(), restored.value_or(0));
  }

  std::filesystem::remove_all(dir);
  return 0;
}
