// A bounded source over several splits (think the partitions of a log): split s is read by
// instance s % parallelism, and an instance reads its splits in turn, one record from each.
// Watermarks are kept per split and merged by minimum (split_watermarks), so interleaving a
// fast split with a slow one makes no record late.
//
// Checkpoints: a snapshot has, per split of the instance, the next record to read and the
// split's watermark state. Restored at another parallelism, an instance takes the splits it
// owns now from all old instances' snapshots (restore_rescaled), each where it was.
//
// Thread-safety: the splits are shared read-only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include <cereal/types/vector.hpp>

#include "dataflow/source/restored_splits.hpp"
#include "dataflow/source/source_reader.hpp"
#include "dataflow/state/versioned_snapshot.hpp"
#include "dataflow/time/split_watermarks.hpp"
#include "dataflow/time/watermark_state.hpp"

namespace dataflow {

template <class T>
class split_collection_source_reader final : public source_reader {
 public:
  using splits_type = std::vector<std::vector<record<T>>>;

  split_collection_source_reader(std::shared_ptr<const splits_type> splits, watermark_strategy ws)
      : splits_(std::move(splits)), strategy_(ws), watermarks_(std::move(ws)) {}

  void open(const operator_context& ctx) override {
    std::optional<timestamp> now;
    if (ctx.clock) now = ctx.clock->now();
    const int me = ctx.info.subtask, p = ctx.info.parallelism;
    subtask_ = me;
    parallelism_ = p;
    // Restored splits first (where they were, with their watermark state), then the others.
    std::vector<bool> taken(splits_->size(), false);
    if (!restored_.empty()) {
      if (auto s = restored_.check(me, p, "splits source"); !s)
        throw std::runtime_error(s.message());
      auto emitted =
          restored_.take(me, p, [&](const split_position& at, const split_watermarks& from) {
            if (at.split >= splits_->size() || at.next > (*splits_)[at.split].size() ||
                taken[at.split] || at.watermark >= from.size())
              throw std::runtime_error("splits source: the checkpoint was taken over other splits");
            taken[at.split] = true;
            mine_.push_back(
                assigned{at.split, at.next, watermarks_.add_split_from(from, at.watermark)});
            read_ += at.next;
          });
      watermarks_.set_emitted(emitted);
      restored_ = {};
    }
    for (auto s = static_cast<std::size_t>(me); s < splits_->size();
         s += static_cast<std::size_t>(p)) {
      if (taken[s]) continue;
      mine_.push_back(assigned{s, 0, watermarks_.add_split(now)});
      if ((*splits_)[s].empty()) watermarks_.finish_split(mine_.back().handle);
    }
    std::sort(mine_.begin(), mine_.end(),
              [](const assigned& a, const assigned& b) { return a.split < b.split; });
  }

  poll_result poll(operator_output& out, std::size_t max_records, timestamp now) override {
    auto& rs = out.records<T>();
    std::size_t n = 0;
    for (bool progress = true; progress && n < max_records;) {
      progress = false;
      for (auto& m : mine_) {
        auto& data = (*splits_)[m.split];
        if (n >= max_records || m.next >= data.size()) continue;
        rs.push_back(data[m.next++]);
        watermarks_.on_record(m.handle, rs.back().value, rs.back().ts);
        if (m.next == data.size()) watermarks_.finish_split(m.handle);
        ++n;
        progress = true;
      }
    }
    read_ += n;
    watermarks_.emit(out, now);
    bool done = true;
    for (auto& m : mine_) done = done && m.next >= (*splits_)[m.split].size();
    return {done ? poll_result::kind::end : poll_result::kind::more, 0};
  }

  std::uint64_t position() const noexcept override { return read_; }

  /// Which instance wrote it; per split of this instance, its index, the next record and
  /// its watermark split; and the watermark state.
  status snapshot(std::string& out) const override {
    std::vector<split_position> at;
    for (auto& m : mine_) at.push_back(split_position{m.split, m.next, m.handle});
    out = write_versioned_snapshot(snapshot_version, subtask_, parallelism_, at,
                                   watermark_state(watermarks_));
    return status::ok();
  }

  status restore(std::string_view bytes) override {
    auto p = decode(bytes);
    if (!p) return p.error();
    restored_.set_own(std::move(*p));
    return status::ok();
  }

  /// Every old instance's snapshot: at open() this instance takes the splits it owns now.
  status restore_rescaled(std::span<const std::string_view> pieces) override {
    std::vector<typename restored_splits<split_position>::piece> decoded;
    for (auto bytes : pieces) {
      auto p = decode(bytes);
      if (!p) return p.error();
      decoded.push_back(std::move(*p));
    }
    restored_.set_rescaled(std::move(decoded));
    return status::ok();
  }

  /// The per-split watermarks (for tests and metrics).
  [[nodiscard]] const split_watermarks& watermarks() const noexcept { return watermarks_; }

 private:
  struct assigned {
    std::size_t split;
    std::size_t next;
    std::size_t handle;  // in watermarks_
  };
  /// Where an instance is in one of its splits, as its snapshot says.
  struct split_position {
    std::uint64_t split = 0;      // index over all splits
    std::uint64_t next = 0;       // the next record to read
    std::uint64_t watermark = 0;  // its split in the snapshot's watermark state
    template <class Archive>
    void serialize(Archive& ar) {
      ar(split, next, watermark);
    }
  };
  // Version 2: writer subtask and parallelism, split positions, watermark state. (Version 1
  // had the positions of the instance's splits by rank, which cannot be redistributed.)
  static constexpr std::uint32_t snapshot_version = 2;

  expected<typename restored_splits<split_position>::piece> decode(std::string_view bytes) const {
    typename restored_splits<split_position>::piece p{0, 0, {}, split_watermarks(strategy_)};
    auto wm = watermark_state(p.watermarks);
    if (auto s = read_versioned_snapshot(bytes, snapshot_version, "splits source", p.subtask,
                                         p.parallelism, p.splits, wm);
        !s)
      return s;
    return p;
  }

  std::shared_ptr<const splits_type> splits_;
  watermark_strategy strategy_;
  split_watermarks watermarks_;
  std::vector<assigned> mine_;  // by split index
  std::uint64_t read_ = 0;
  int subtask_ = 0, parallelism_ = 0;         // from open()
  restored_splits<split_position> restored_;  // between restore() and open()
};

}  // namespace dataflow
