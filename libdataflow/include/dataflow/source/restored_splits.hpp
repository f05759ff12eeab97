// The snapshots of a split-based source, read back for a restore. A source that reads splits
// (split s on instance s % p: the files of the JSON-lines source, the splits source) writes in
// its snapshot where it is in each split it has started or finished, each split's watermark
// state, and which instance wrote it. At the same parallelism an instance restores its own
// snapshot; at another, every new instance gets the snapshots of all old instances and takes
// the splits it owns now (Flink's split-based sources do the same).
//
// A reader keeps the decoded snapshots here between restore() and open(), where it knows which
// instance it is: check() says whether they fit, take() hands over the splits the instance
// owns, with the watermark state each had, and says which watermark the instance counts as
// emitted: its own snapshot's at the same parallelism (it goes on exactly as it was); none
// when rescaled, so that the first watermark it emits is the minimum over its splits' own,
// never ahead of what any of them reached. (An old instance's emitted watermark can be ahead
// of a split it had just opened, and need not hold for the splits another instance takes.)
//
// `Split` is the reader's own record of one split, with at least `std::uint64_t split` (its
// index over the whole source) and `std::uint64_t watermark` (its index in the snapshot's
// split_watermarks, or no_watermark). Thread-safety: owned by one reader.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "dataflow/core/status.hpp"
#include "dataflow/time/split_watermarks.hpp"

namespace dataflow {

template <class Split>
class restored_splits {
 public:
  /// Split::watermark of a split without watermark state (one that finished).
  static constexpr std::uint64_t no_watermark = std::numeric_limits<std::uint64_t>::max();

  /// One old instance's snapshot, decoded.
  struct piece {
    int subtask = 0, parallelism = 0;  // of the instance that wrote it
    std::vector<Split> splits;
    split_watermarks watermarks;  // its watermark state (load_state)
  };

  /// Restored with restore(): one piece, which must be this instance's own.
  void set_own(piece p) {
    pieces_.clear();
    pieces_.push_back(std::move(p));
    rescaled_ = false;
  }
  /// Restored with restore_rescaled(): piece i of n must come from instance i of n.
  void set_rescaled(std::vector<piece> ps) {
    pieces_ = std::move(ps);
    rescaled_ = true;
  }

  [[nodiscard]] bool empty() const noexcept { return pieces_.empty(); }

  /// Whether the pieces fit instance `subtask` of `parallelism`; the error starts with `what`.
  [[nodiscard]] status check(int subtask, int parallelism, const std::string& what) const {
    auto instance = [](int s, int p) {
      return "instance " + std::to_string(s) + " of " + std::to_string(p);
    };
    if (!rescaled_) {
      const auto& p = pieces_.at(0);
      if (p.subtask == subtask && p.parallelism == parallelism) return status::ok();
      return {errc::invalid_configuration,
              what + ": it was written by " + instance(p.subtask, p.parallelism) + ", this is " +
                  instance(subtask, parallelism) +
                  " (restore at the same parallelism, or give every instance's snapshot)"};
    }
    const int n = static_cast<int>(pieces_.size());
    for (int i = 0; i < n; ++i) {
      const auto& p = pieces_[static_cast<std::size_t>(i)];
      if (p.subtask != i || p.parallelism != n)
        return {errc::invalid_configuration,
                what + ": snapshot " + std::to_string(i + 1) + " of " + std::to_string(n) +
                    " was written by " + instance(p.subtask, p.parallelism) +
                    ", expected the snapshots of instances 0 to " + std::to_string(n - 1) + " of " +
                    std::to_string(n)};
    }
    return status::ok();
  }

  /// For each split that instance `subtask` of `parallelism` owns, in the order of the pieces:
  /// fn(split, its piece's watermark state). Returns the watermark the instance counts as
  /// emitted (see above; min_timestamp when rescaled).
  [[nodiscard]] timestamp take(
      int subtask, int parallelism,
      const std::function<void(const Split&, const split_watermarks&)>& fn) const {
    const auto p = static_cast<std::uint64_t>(parallelism);
    const auto me = static_cast<std::uint64_t>(subtask);
    for (const auto& pc : pieces_)
      for (const auto& sp : pc.splits)
        if (sp.split % p == me) fn(sp, pc.watermarks);
    return rescaled_ ? min_timestamp : pieces_.at(0).watermarks.current();
  }

 private:
  std::vector<piece> pieces_;
  bool rescaled_ = false;
};

}  // namespace dataflow
