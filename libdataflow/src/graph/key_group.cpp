#include "dataflow/graph/key_group.hpp"

#include "dataflow/graph/partitioning.hpp"

namespace dataflow {

key_group_range key_group_range_of(int index, int parallelism, int max_parallelism) noexcept {
  // The inverse of instance_of_key_group: the smallest g with g * p / max >= index.
  auto first = (static_cast<std::int64_t>(index) * max_parallelism + parallelism - 1) / parallelism;
  auto last =
      (static_cast<std::int64_t>(index + 1) * max_parallelism + parallelism - 1) / parallelism - 1;
  return {static_cast<int>(first), static_cast<int>(last)};
}

std::string_view to_string(partitioning p) noexcept {
  switch (p) {
    case partitioning::forward:
      return "forward";
    case partitioning::hash:
      return "hash";
    case partitioning::rebalance:
      return "rebalance";
    case partitioning::broadcast:
      return "broadcast";
  }
  return "unknown";
}

}  // namespace dataflow
