// Key groups: the unit in which keyed state is partitioned and redistributed. A key belongs to
// key group `mix(hash(key)) % max_parallelism`; key group g runs on instance
// `g * parallelism / max_parallelism` (Flink's assignment), so a job restarted at another
// parallelism moves whole key groups. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <functional>

namespace dataflow {

/// The default maximum parallelism, which is also the number of key groups.
inline constexpr int default_max_parallelism = 128;

/// A finalizer (from MurmurHash3) so that std::hash's identity on integers still spreads keys.
constexpr std::uint64_t mix_hash(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

/// The key group of a key hash, in [0, max_parallelism).
constexpr int key_group_of_hash(std::uint64_t hash, int max_parallelism) noexcept {
  return static_cast<int>(mix_hash(hash) % static_cast<std::uint64_t>(max_parallelism));
}

/// The key group of `key`, hashed with std::hash<K> (deterministic for the standard types).
template <class K>
int key_group_of(const K& key, int max_parallelism) {
  return key_group_of_hash(std::hash<K>{}(key), max_parallelism);
}

/// The instance (0-based) of an operator with `parallelism` instances that owns `key_group`.
constexpr int instance_of_key_group(int key_group, int max_parallelism, int parallelism) noexcept {
  return static_cast<int>(static_cast<std::int64_t>(key_group) * parallelism / max_parallelism);
}

/// The key groups [first, last] that instance `index` of `parallelism` owns.
struct key_group_range {
  int first = 0;
  int last = -1;
  [[nodiscard]] bool contains(int g) const noexcept { return g >= first && g <= last; }
  [[nodiscard]] int size() const noexcept { return last - first + 1; }
};

/// The range of key groups owned by instance `index`.
key_group_range key_group_range_of(int index, int parallelism, int max_parallelism) noexcept;

}  // namespace dataflow
