// How records travel along an edge from the sender's instances to the receiver's.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string_view>

namespace dataflow {

/// The partitioning of one edge.
enum class partitioning : std::uint8_t {
  /// Instance i sends to instance i; needs equal parallelism. The default between operators of
  /// equal parallelism, and the only kind that is chained into one actor.
  forward,
  /// By key, through key groups (see key_group.hpp).
  hash,
  /// Round-robin over all receivers, record by record. The default when parallelism differs.
  rebalance,
  /// Every record to every receiver.
  broadcast,
};

std::string_view to_string(partitioning p) noexcept;

}  // namespace dataflow
