// Routers split what an operator instance produced among the receiving instances of one edge,
// following the edge's partitioning. One router per (edge, sending instance).
// Thread-safety: owned by one sending instance.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <utility>

#include "dataflow/graph/key_group.hpp"
#include "dataflow/graph/partitioning.hpp"
#include "dataflow/record/batch.hpp"

namespace dataflow {

class router {
 public:
  virtual ~router() = default;
  /// Appends the records of `produced` to `targets` (one per receiving instance, same type).
  /// Moves records out of `produced` when `move` is set (it is the last edge reading them).
  virtual void route(batch_base& produced, bool move, std::span<batch_base* const> targets) = 0;
};

/// What a router is made for.
struct router_params {
  partitioning kind = partitioning::forward;
  int sender_subtask = 0;
  int num_targets = 1;
  int max_parallelism = default_max_parallelism;
};

using router_factory = std::function<std::unique_ptr<router>(const router_params&)>;

/// Forward: all records to the one target of this sender.
class forward_router final : public router {
 public:
  void route(batch_base& produced, bool move, std::span<batch_base* const> targets) override {
    auto& target = *targets[0];
    // Hand the whole vector over when the target is empty: no copy, and capacity is kept.
    if (move && target.empty())
      target.swap_records(produced);
    else
      target.append(produced, move);
  }
};

/// Broadcast: every record to every target.
class broadcast_router final : public router {
 public:
  void route(batch_base& produced, bool move, std::span<batch_base* const> targets) override {
    for (std::size_t i = 0; i < targets.size(); ++i)
      targets[i]->append(produced, move && i + 1 == targets.size());
  }
};

/// Rebalance: round-robin, record by record, starting at the sender's own index.
template <class T>
class rebalance_router final : public router {
 public:
  explicit rebalance_router(int start) : next_(static_cast<std::size_t>(start)) {}
  void route(batch_base& produced, bool move, std::span<batch_base* const> targets) override {
    auto& in = records_of<T>(produced);
    const auto n = targets.size();
    if (n == 1) {
      targets[0]->append(produced, move);
      return;
    }
    for (auto& r : in) {
      auto& out = records_of<T>(*targets[next_ % n]);
      if (move)
        out.push_back(std::move(r));
      else
        out.push_back(r);
      ++next_;
    }
  }

 private:
  std::size_t next_;
};

/// Hash: by key group of `key_fn(value)`.
template <class T, class KeyFn>
class hash_router final : public router {
 public:
  hash_router(KeyFn key_fn, int max_parallelism)
      : key_fn_(std::move(key_fn)), max_parallelism_(max_parallelism) {}
  void route(batch_base& produced, bool move, std::span<batch_base* const> targets) override {
    const int n = static_cast<int>(targets.size());
    if (n == 1) {
      forward_.route(produced, move, targets);
      return;
    }
    auto& in = records_of<T>(produced);
    for (auto& r : in) {
      int g = key_group_of(key_fn_(r.value), max_parallelism_);
      auto& out = records_of<T>(*targets[instance_of_key_group(g, max_parallelism_, n)]);
      if (move)
        out.push_back(std::move(r));
      else
        out.push_back(r);
    }
  }

 private:
  KeyFn key_fn_;
  int max_parallelism_;
  forward_router forward_;
};

/// The factory for forward / rebalance / broadcast edges carrying `T`.
template <class T>
router_factory make_plain_router_factory() {
  return [](const router_params& p) -> std::unique_ptr<router> {
    switch (p.kind) {
      case partitioning::broadcast:
        return std::make_unique<broadcast_router>();
      case partitioning::rebalance:
        return std::make_unique<rebalance_router<T>>(p.sender_subtask);
      default:
        return std::make_unique<forward_router>();
    }
  };
}

/// The factory for a hash edge carrying `T`, keyed by `key_fn`.
template <class T, class KeyFn>
router_factory make_hash_router_factory(KeyFn key_fn) {
  return [key_fn](const router_params& p) -> std::unique_ptr<router> {
    return std::make_unique<hash_router<T, KeyFn>>(key_fn, p.max_parallelism);
  };
}

}  // namespace dataflow
